import { describe, expect, it } from 'vitest';
import { forExperiment } from './experiment-logger.js';
import { createTestLogger } from './test-logger.js';

describe('forExperiment', () => {
  it('adds the experiment id to every line, next to the service', () => {
    const { logger, lines } = createTestLogger({ service: 'experimentd' });
    const experimentLogger = forExperiment(logger, '202401011200-ab12');
    experimentLogger.info('started');
    experimentLogger.child({ workload: 'squeezenet' }).info({ tick: 1 }, 'rps set');
    logger.info('idle');
    expect(lines()).toEqual([
      expect.objectContaining({ service: 'experimentd', experimentId: '202401011200-ab12', msg: 'started' }),
      expect.objectContaining({
        service: 'experimentd',
        experimentId: '202401011200-ab12',
        workload: 'squeezenet',
        tick: 1,
      }),
      expect.not.objectContaining({ experimentId: expect.anything() }),
    ]);
  });
});
