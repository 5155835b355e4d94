import { randomUUID } from 'node:crypto';

/** galileo-db's Experiment (protocols §7.2): epoch-second floats, nulls allowed. */
export interface Experiment {
  id: string;
  name: string | null;
  creator: string | null;
  start: number | null;
  end: number | null;
  created: number | null;
  status: string;
}

/** Statuses used across galileo (§2.1); compared case-insensitively, as the dashboard does. */
export const EXPERIMENT_STATUSES = [
  'QUEUED',
  'IN_PROGRESS',
  'RUNNING',
  'FINISHED',
  'FAILED',
  'CANCELLED',
] as const;

/** An experiment that may still be stopped: waiting in the queue or being run. */
export function isActive(status: string): boolean {
  const s = status.toUpperCase();
  return s === 'QUEUED' || s === 'IN_PROGRESS' || s === 'RUNNING';
}

export function isRunning(status: string): boolean {
  const s = status.toUpperCase();
  return s === 'IN_PROGRESS' || s === 'RUNNING';
}

/**
 * galileo-db's `generate_experiment_id`: local time `YYYYMMDDHHMM`, `-`, the first 4 hex chars of
 * a uuid4, e.g. `202010181530-3f2a`.
 */
export function generateExperimentId(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}${p(now.getHours())}${p(now.getMinutes())}`;
  return `${stamp}-${randomUUID().replace(/-/g, '').slice(0, 4)}`;
}

/** Sorted as galileo-db lists them: by creation time, then id. */
export function sortExperiments(experiments: readonly Experiment[]): Experiment[] {
  return [...experiments].sort((a, b) => (a.created ?? 0) - (b.created ?? 0) || a.id.localeCompare(b.id));
}
