import type { ExperimentRef, GalileoCatalogue, CatalogueEvent } from '@galileo/events';

/**
 * The experiment lifecycle as a decider (Emmett): `decide(command, state)` → events or an error,
 * `evolve(state, event)` → state, `initialState`. The state of an experiment is the fold of its
 * events; nothing else is kept. Pure: no I/O, no clock (times come in with the commands).
 */

type LifecycleEventType =
  | 'ExperimentQueued'
  | 'ExperimentStarted'
  | 'ExperimentCommandIssued'
  | 'ExperimentCommandAcknowledged'
  | 'ExperimentFinished'
  | 'ExperimentFailed'
  | 'ExperimentCancelled';

/** A lifecycle event as the decider sees it: its type and payload (the envelope is the bus's). */
export type LifecycleEvent = {
  [T in LifecycleEventType]: {
    type: T;
    data: Extract<CatalogueEvent<GalileoCatalogue>, { type: T }>['data'];
  };
}[LifecycleEventType];

export function isLifecycleEvent(event: { type: string }): event is LifecycleEvent {
  return LIFECYCLE_TYPES.has(event.type);
}
const LIFECYCLE_TYPES = new Set<string>([
  'ExperimentQueued',
  'ExperimentStarted',
  'ExperimentCommandIssued',
  'ExperimentCommandAcknowledged',
  'ExperimentFinished',
  'ExperimentFailed',
  'ExperimentCancelled',
]);

export type TerminalStatus = 'FINISHED' | 'FAILED' | 'CANCELLED';

export type ExperimentState =
  | { readonly status: 'initial' }
  | {
      readonly status: 'QUEUED';
      readonly experiment: ExperimentRef;
      readonly instructions: string;
      readonly daemon: string | null;
    }
  | {
      readonly status: 'IN_PROGRESS';
      readonly experiment: ExperimentRef;
      readonly instructions: string;
      readonly daemon: string;
      readonly start: number;
      /** The instruction issued and not yet acknowledged. */
      readonly pending: { readonly line: number; readonly command: string } | null;
      /** Lines acknowledged so far. */
      readonly acknowledged: number;
      readonly lastLine: number | null;
    }
  | {
      readonly status: TerminalStatus;
      readonly experiment: ExperimentRef;
      readonly instructions: string;
      readonly start: number | null;
      readonly end: number | null;
      readonly reason: string | null;
    };

export const initialState = (): ExperimentState => ({ status: 'initial' });

export type LifecycleCommand =
  | {
      type: 'QueueExperiment';
      experiment: ExperimentRef;
      instructions: string;
      form: 'instructions' | 'configuration' | 'unreadable';
      configuration?: unknown;
      daemon: string | null;
    }
  | { type: 'StartExperiment'; start: number; daemon: string }
  | { type: 'IssueCommand'; line: number; command: string; kind: string }
  | { type: 'AcknowledgeCommand'; line: number; result?: unknown }
  | { type: 'FinishExperiment'; end: number }
  | { type: 'FailExperiment'; end: number; reason: string }
  | { type: 'CancelExperiment'; end: number | null; reason: string };

export interface LifecycleError {
  readonly command: LifecycleCommand['type'];
  readonly status: ExperimentState['status'];
  readonly message: string;
}

export type Decision = { ok: true; value: LifecycleEvent[] } | { ok: false; error: LifecycleError };

const refuse = (command: LifecycleCommand, state: ExperimentState, why: string): Decision => ({
  ok: false,
  error: {
    command: command.type,
    status: state.status,
    message: `${command.type} refused: the experiment${'experiment' in state ? ` ${state.experiment.id}` : ''} ${why}`,
  },
});
const emit = (...events: LifecycleEvent[]): Decision => ({ ok: true, value: events });

export function decide(command: LifecycleCommand, state: ExperimentState): Decision {
  switch (command.type) {
    case 'QueueExperiment':
      if (state.status !== 'initial') return refuse(command, state, `is already ${state.status}`);
      return emit({
        type: 'ExperimentQueued',
        data: {
          experiment: command.experiment,
          instructions: command.instructions,
          form: command.form,
          ...(command.configuration === undefined ? {} : { configuration: command.configuration }),
          daemon: command.daemon,
        },
      });
    case 'StartExperiment':
      if (state.status !== 'QUEUED') return refuse(command, state, notQueued(state));
      return emit({
        type: 'ExperimentStarted',
        data: { id: state.experiment.id, start: command.start, daemon: command.daemon },
      });
    case 'IssueCommand':
      if (state.status !== 'IN_PROGRESS') return refuse(command, state, notRunning(state));
      if (state.pending) {
        return refuse(
          command,
          state,
          `still waits for line ${state.pending.line} (${state.pending.command}) to be acknowledged`,
        );
      }
      return emit({
        type: 'ExperimentCommandIssued',
        data: { id: state.experiment.id, line: command.line, command: command.command, kind: command.kind },
      });
    case 'AcknowledgeCommand':
      if (state.status !== 'IN_PROGRESS') return refuse(command, state, notRunning(state));
      if (!state.pending || state.pending.line !== command.line) {
        return refuse(command, state, `has no issued command at line ${command.line} to acknowledge`);
      }
      return emit({
        type: 'ExperimentCommandAcknowledged',
        data: {
          id: state.experiment.id,
          line: command.line,
          command: state.pending.command,
          ...(command.result === undefined ? {} : { result: command.result }),
        },
      });
    case 'FinishExperiment':
      if (state.status !== 'IN_PROGRESS') return refuse(command, state, notRunning(state));
      if (state.pending) {
        return refuse(
          command,
          state,
          `still waits for line ${state.pending.line} (${state.pending.command}) to be acknowledged`,
        );
      }
      return emit({ type: 'ExperimentFinished', data: { id: state.experiment.id, end: command.end } });
    case 'FailExperiment':
      if (state.status !== 'QUEUED' && state.status !== 'IN_PROGRESS')
        return refuse(command, state, ended(state));
      return emit({
        type: 'ExperimentFailed',
        data: { id: state.experiment.id, end: command.end, reason: command.reason },
      });
    case 'CancelExperiment':
      if (state.status !== 'QUEUED' && state.status !== 'IN_PROGRESS')
        return refuse(command, state, ended(state));
      return emit({
        type: 'ExperimentCancelled',
        data: { id: state.experiment.id, end: command.end, reason: command.reason },
      });
  }
}

const notQueued = (state: ExperimentState) =>
  state.status === 'initial' ? 'was never queued' : `is ${state.status}, not QUEUED`;
const notRunning = (state: ExperimentState) =>
  state.status === 'initial' ? 'was never queued' : `is ${state.status}, not IN_PROGRESS`;
const ended = (state: ExperimentState) =>
  state.status === 'initial' ? 'was never queued' : `already ended ${state.status}`;

export function evolve(state: ExperimentState, event: LifecycleEvent): ExperimentState {
  switch (event.type) {
    case 'ExperimentQueued':
      if (state.status !== 'initial') return state;
      return {
        status: 'QUEUED',
        experiment: event.data.experiment,
        instructions: event.data.instructions,
        daemon: event.data.daemon,
      };
    case 'ExperimentStarted':
      if (state.status !== 'QUEUED') return state;
      return {
        status: 'IN_PROGRESS',
        experiment: state.experiment,
        instructions: state.instructions,
        daemon: event.data.daemon,
        start: event.data.start,
        pending: null,
        acknowledged: 0,
        lastLine: null,
      };
    case 'ExperimentCommandIssued':
      if (state.status !== 'IN_PROGRESS') return state;
      return { ...state, pending: { line: event.data.line, command: event.data.command } };
    case 'ExperimentCommandAcknowledged':
      if (state.status !== 'IN_PROGRESS') return state;
      return { ...state, pending: null, acknowledged: state.acknowledged + 1, lastLine: event.data.line };
    case 'ExperimentFinished':
    case 'ExperimentFailed':
    case 'ExperimentCancelled': {
      if (state.status !== 'QUEUED' && state.status !== 'IN_PROGRESS') return state;
      const status: TerminalStatus =
        event.type === 'ExperimentFinished'
          ? 'FINISHED'
          : event.type === 'ExperimentFailed'
            ? 'FAILED'
            : 'CANCELLED';
      return {
        status,
        experiment: state.experiment,
        instructions: state.instructions,
        start: state.status === 'IN_PROGRESS' ? state.start : null,
        end: event.data.end,
        reason: 'reason' in event.data ? event.data.reason : null,
      };
    }
  }
}

/** The state after a sequence of events. */
export const fold = (
  events: readonly LifecycleEvent[],
  from: ExperimentState = initialState(),
): ExperimentState => events.reduce(evolve, from);

export const isTerminal = (state: ExperimentState): boolean =>
  state.status === 'FINISHED' || state.status === 'FAILED' || state.status === 'CANCELLED';

/** The `experiments` row of a state (galileo-db's columns), or null before it was queued. */
export function experimentRow(state: ExperimentState): {
  id: string;
  name: string;
  creator: string;
  start: number | null;
  end: number | null;
  created: number;
  status: 'QUEUED' | 'IN_PROGRESS' | TerminalStatus;
} | null {
  if (state.status === 'initial') return null;
  const { id, name, creator, created } = state.experiment;
  return {
    id,
    name,
    creator,
    start: state.status === 'QUEUED' ? null : state.start,
    end: state.status === 'QUEUED' || state.status === 'IN_PROGRESS' ? null : state.end,
    created,
    status: state.status,
  };
}
