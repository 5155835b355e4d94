import { describe, expect, it } from 'vitest';
import {
  decide,
  experimentRow,
  fold,
  type LifecycleCommand,
  type LifecycleEvent,
} from './experiment-lifecycle.js';

const experiment = { id: 'e1', name: 'e1', creator: 'me', created: 100 };
const queued: LifecycleEvent = {
  type: 'ExperimentQueued',
  data: { experiment, instructions: 'sleep 1', form: 'instructions', daemon: 'd1' },
};
const started: LifecycleEvent = { type: 'ExperimentStarted', data: { id: 'e1', start: 101, daemon: 'd1' } };
const issued: LifecycleEvent = {
  type: 'ExperimentCommandIssued',
  data: { id: 'e1', line: 1, command: 'sleep 1', kind: 'sleep' },
};
const acknowledged: LifecycleEvent = {
  type: 'ExperimentCommandAcknowledged',
  data: { id: 'e1', line: 1, command: 'sleep 1' },
};

/** Given (events) / When (command) / Then (events or an error). */
const given = (...history: LifecycleEvent[]) => ({
  when: (command: LifecycleCommand) => {
    const decision = decide(command, fold(history));
    return {
      then: (...events: LifecycleEvent[]) => expect(decision).toEqual({ ok: true, value: events }),
      thenRefused: (message: RegExp) => {
        expect(decision.ok).toBe(false);
        if (!decision.ok) expect(decision.error.message).toMatch(message);
      },
    };
  },
});

describe('experiment lifecycle', () => {
  it('queues a new experiment', () => {
    given()
      .when({
        type: 'QueueExperiment',
        experiment,
        instructions: 'sleep 1',
        form: 'instructions',
        daemon: 'd1',
      })
      .then(queued);
  });

  it('does not queue one twice', () => {
    given(queued)
      .when({ type: 'QueueExperiment', experiment, instructions: 'x', form: 'instructions', daemon: 'd2' })
      .thenRefused(/experiment e1 is already QUEUED/);
  });

  it('starts a queued experiment, and only a queued one', () => {
    given(queued).when({ type: 'StartExperiment', start: 101, daemon: 'd1' }).then(started);
    given()
      .when({ type: 'StartExperiment', start: 1, daemon: 'd1' })
      .thenRefused(/was never queued/);
    given(queued, started)
      .when({ type: 'StartExperiment', start: 1, daemon: 'd1' })
      .thenRefused(/is IN_PROGRESS, not QUEUED/);
  });

  it('issues one command at a time and acknowledges the one issued', () => {
    given(queued, started)
      .when({ type: 'IssueCommand', line: 1, command: 'sleep 1', kind: 'sleep' })
      .then(issued);
    given(queued, started, issued)
      .when({ type: 'IssueCommand', line: 2, command: 'sleep 2', kind: 'sleep' })
      .thenRefused(/still waits for line 1/);
    given(queued, started, issued).when({ type: 'AcknowledgeCommand', line: 1 }).then(acknowledged);
    given(queued, started, issued)
      .when({ type: 'AcknowledgeCommand', line: 2 })
      .thenRefused(/no issued command at line 2/);
    given(queued)
      .when({ type: 'IssueCommand', line: 1, command: 'x', kind: 'x' })
      .thenRefused(/is QUEUED, not IN_PROGRESS/);
  });

  it('finishes only when no command is outstanding', () => {
    given(queued, started, issued, acknowledged)
      .when({ type: 'FinishExperiment', end: 102 })
      .then({ type: 'ExperimentFinished', data: { id: 'e1', end: 102 } });
    given(queued, started, issued)
      .when({ type: 'FinishExperiment', end: 102 })
      .thenRefused(/still waits for line 1/);
    given(queued)
      .when({ type: 'FinishExperiment', end: 102 })
      .thenRefused(/not IN_PROGRESS/);
  });

  it('fails or cancels a queued or running experiment, never an ended one', () => {
    const failed: LifecycleEvent = {
      type: 'ExperimentFailed',
      data: { id: 'e1', end: 103, reason: 'worker w1 did not answer' },
    };
    given(queued).when({ type: 'FailExperiment', end: 103, reason: 'worker w1 did not answer' }).then(failed);
    given(queued, started, issued)
      .when({ type: 'FailExperiment', end: 103, reason: 'worker w1 did not answer' })
      .then(failed);
    given(queued)
      .when({ type: 'CancelExperiment', end: 103, reason: 'by user' })
      .then({ type: 'ExperimentCancelled', data: { id: 'e1', end: 103, reason: 'by user' } });
    given(queued, started)
      .when({ type: 'CancelExperiment', end: 103, reason: 'by user' })
      .then({ type: 'ExperimentCancelled', data: { id: 'e1', end: 103, reason: 'by user' } });
    given(queued, failed)
      .when({ type: 'CancelExperiment', end: 104, reason: 'x' })
      .thenRefused(/already ended FAILED/);
    given(queued, failed)
      .when({ type: 'FailExperiment', end: 104, reason: 'x' })
      .thenRefused(/already ended FAILED/);
    given()
      .when({ type: 'CancelExperiment', end: 1, reason: 'x' })
      .thenRefused(/was never queued/);
  });

  it('folds events into the experiments row (galileo-db columns)', () => {
    expect(experimentRow(fold([]))).toBeNull();
    expect(experimentRow(fold([queued]))).toEqual({
      ...experiment,
      start: null,
      end: null,
      status: 'QUEUED',
    });
    expect(experimentRow(fold([queued, started, issued]))).toEqual({
      ...experiment,
      start: 101,
      end: null,
      status: 'IN_PROGRESS',
    });
    expect(
      experimentRow(
        fold([
          queued,
          started,
          issued,
          acknowledged,
          { type: 'ExperimentFinished', data: { id: 'e1', end: 110 } },
        ]),
      ),
    ).toEqual({ ...experiment, start: 101, end: 110, status: 'FINISHED' });
    expect(
      experimentRow(
        fold([queued, { type: 'ExperimentCancelled', data: { id: 'e1', end: 105, reason: 'x' } }]),
      ),
    ).toEqual({ ...experiment, start: null, end: 105, status: 'CANCELLED' });
  });

  it('ignores events that do not fit the state (a redelivered or late one)', () => {
    const finished: LifecycleEvent = { type: 'ExperimentFinished', data: { id: 'e1', end: 110 } };
    const state = fold([
      queued,
      started,
      finished,
      { type: 'ExperimentFailed', data: { id: 'e1', end: 120, reason: 'late' } },
    ]);
    expect(state.status).toBe('FINISHED');
    expect(fold([queued, started, started]).status).toBe('IN_PROGRESS');
  });
});
