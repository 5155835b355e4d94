import { createBus } from '@galileo/bus';
import { redisOptions } from '@galileo/config';
import { galileoCatalogue } from '@galileo/events';
import { createLogger } from '@galileo/logging';
import { runService } from '@galileo/runtime';
import { Redis } from 'ioredis';
import { loadPodCreatorConfig } from './config.js';
import { createConfiguredOrchestrator } from './orchestrator-from-config.js';
import { createPodCreator } from './pod-creator.js';

// Environment → dependencies → createPodCreator. Nothing else happens here.
const loaded = loadPodCreatorConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${loaded.error.lines.join('\n')}\n`);
  process.exit(1);
}
const config = loaded.value;
const logger = createLogger({ service: 'pod-creator', level: config.logging.level });
const redis = new Redis(redisOptions(config.redis, { connectionName: 'galileo-pod-creator' }));
const bus = createBus({
  redis,
  catalogue: galileoCatalogue,
  source: 'pod-creator',
  prefix: config.redis.keyPrefix,
  logger,
});
const orchestrator = createConfiguredOrchestrator(config, logger);
const podCreator = createPodCreator({ bus, redis, orchestrator, config, logger });

await runService({
  logger,
  start: () => podCreator.start(),
  stop: async () => {
    await podCreator.stop();
    await orchestrator.close(); // the local orchestrator stops its replicas
    await bus.close();
    await redis.quit();
  },
});
