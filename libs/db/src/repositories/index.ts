import type { Session } from '../session.js';
import type { Repositories } from '../types.js';
import { eventRepository } from './events.js';
import { experimentRepository } from './experiments.js';
import { instructionsRepository } from './instructions.js';
import { metadataRepository } from './metadata.js';
import { nodeInfoRepository } from './nodeinfo.js';
import { processedEventLedger } from './processed.js';
import { telemetryRepository } from './telemetry.js';
import { traceRepository } from './traces.js';

export function createRepositories(session: Session): Repositories {
  return {
    experiments: experimentRepository(session),
    instructions: instructionsRepository(session),
    traces: traceRepository(session),
    telemetry: telemetryRepository(session),
    events: eventRepository(session),
    nodeinfo: nodeInfoRepository(session),
    metadata: metadataRepository(session),
    processed: processedEventLedger(session),
  };
}
