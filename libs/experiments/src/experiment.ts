import type { Experiment } from '@galileo/db';

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

/** Sorted as galileo-db lists them: by creation time, then id. */
export function sortExperiments(experiments: readonly Experiment[]): Experiment[] {
  return [...experiments].sort((a, b) => (a.created ?? 0) - (b.created ?? 0) || a.id.localeCompare(b.id));
}
