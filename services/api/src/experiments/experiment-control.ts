import type { Bus } from '@galileo/bus';
import { experimentSubjects, type CancelOutcome, type GalileoCatalogue } from '@galileo/events';

/** The outcome of asking for a cancel, as the API and the CLI report it. */
export type CancelResult = { ok: true; was: 'queued' | 'running' } | { ok: false; error: string };

/**
 * Stops an experiment the experiment daemon holds (waiting in its processing list or running).
 * The daemon owns running experiments; the API and the CLI only ask.
 */
export interface ExperimentCanceller {
  cancel(id: string, reason: string, timeoutMs: number): Promise<CancelResult>;
}

/** Sends the daemon's `CancelExperiment` command (`galileo.commands.experiments.cancel`) and waits for its CancelOutcome. */
export function createBusCanceller(bus: Bus<GalileoCatalogue>): ExperimentCanceller {
  return {
    async cancel(id, reason, timeoutMs) {
      try {
        const outcome = (await bus.request(
          experimentSubjects.cancel,
          { type: 'CancelExperiment', data: { id, reason }, correlationId: id },
          { timeoutMs },
        )) as CancelOutcome;
        if (outcome.cancelled) return { ok: true, was: outcome.was };
        return { ok: false, error: `the experiment daemon did not cancel ${id}: ${outcome.reason}` };
      } catch (e) {
        return { ok: false, error: (e as Error).message };
      }
    },
  };
}
