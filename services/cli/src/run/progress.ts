import { percentileOfSorted } from '@galileo/report';

/**
 * The live figures of a running experiment, folded from its bus events (lifecycle and traces):
 * pure, so the line it renders is testable without Redis.
 */
export interface ProgressState {
  id: string;
  status: 'QUEUED' | 'IN_PROGRESS' | 'FINISHED' | 'FAILED' | 'CANCELLED';
  plannedS: number | null;
  /** Epoch ms the experiment started (ExperimentStarted), or null while queued. */
  startedAt: number | null;
  endedAt: number | null;
  reason: string | null;
  requests: number;
  errors: number;
  /** (done ms, latency ms) of recent traces, for the rate and p99 of the last window. */
  recent: { at: number; latencyMs: number }[];
}

/** The window the achieved rate and p99 are computed over. */
export const PROGRESS_WINDOW_MS = 5_000;

export function initialProgress(id: string, plannedS: number | null): ProgressState {
  return {
    id,
    status: 'QUEUED',
    plannedS,
    startedAt: null,
    endedAt: null,
    reason: null,
    requests: 0,
    errors: 0,
    recent: [],
  };
}

export function isFinal(state: ProgressState): boolean {
  return state.status === 'FINISHED' || state.status === 'FAILED' || state.status === 'CANCELLED';
}

export type ProgressInput =
  | { type: 'started'; at: number }
  | { type: 'finished'; at: number }
  | { type: 'failed'; at: number; reason: string }
  | { type: 'cancelled'; at: number; reason: string }
  | { type: 'trace'; created: number; done: number; status: number };

export function applyProgress(state: ProgressState, input: ProgressInput): ProgressState {
  switch (input.type) {
    case 'started':
      return { ...state, status: 'IN_PROGRESS', startedAt: input.at };
    case 'finished':
      return { ...state, status: 'FINISHED', endedAt: input.at };
    case 'failed':
      return { ...state, status: 'FAILED', endedAt: input.at, reason: input.reason };
    case 'cancelled':
      return { ...state, status: 'CANCELLED', endedAt: input.at, reason: input.reason };
    case 'trace': {
      const failed = input.status < 0 || input.status >= 300;
      state.recent.push({ at: input.done * 1000, latencyMs: (input.done - input.created) * 1000 });
      return { ...state, requests: state.requests + 1, errors: state.errors + (failed ? 1 : 0) };
    }
  }
}

export interface ProgressFigures {
  elapsedS: number;
  ratePerS: number;
  p99Ms: number | null;
}

export function progressFigures(state: ProgressState, now: number): ProgressFigures {
  const from = now - PROGRESS_WINDOW_MS;
  while (state.recent.length > 0 && state.recent[0]!.at < from) state.recent.shift();
  const latencies = Float64Array.from(state.recent.map((r) => r.latencyMs)).sort();
  const end = state.endedAt ?? now;
  const elapsedS = state.startedAt === null ? 0 : Math.max(0, (end - state.startedAt) / 1000);
  const windowS = Math.min(PROGRESS_WINDOW_MS / 1000, Math.max(elapsedS, 1e-3));
  return {
    elapsedS,
    ratePerS: state.recent.length / windowS,
    p99Ms: latencies.length > 0 ? percentileOfSorted(latencies, 99) : null,
  };
}

/** `[=========>          ] 12.0/60 s  requests 1234  rate 98.7/s  errors 0  p99 12.3 ms  IN_PROGRESS` */
export function renderProgressLine(state: ProgressState, now: number, width = 20): string {
  const f = progressFigures(state, now);
  const planned = state.plannedS;
  let bar = '';
  if (planned !== null && planned > 0) {
    const done = Math.min(1, f.elapsedS / planned);
    const filled = Math.round(done * width);
    bar = `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (done >= 1 ? '=' : '>') : ''}${' '.repeat(width - filled)}] `;
  }
  const elapsed = `${f.elapsedS.toFixed(1)}${planned !== null ? `/${planned}` : ''} s`;
  const p99 = f.p99Ms === null ? '-' : `${f.p99Ms.toFixed(1)} ms`;
  return `${bar}${elapsed}  requests ${state.requests}  rate ${f.ratePerS.toFixed(1)}/s  errors ${state.errors}  p99 ${p99}  ${state.status}`;
}
