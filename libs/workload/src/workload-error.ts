/**
 * Why a workload could not be built. Every message names what was wrong and what was expected, so
 * it can be shown to the user as is (e.g. in a failed SetWorkload reply).
 */
export type WorkloadError =
  | { kind: 'unknown-process'; process: string; message: string }
  | { kind: 'invalid-params'; process: string; message: string; issues: readonly string[] }
  | { kind: 'invalid-spec'; message: string; issues: readonly string[] }
  | { kind: 'invalid-profile'; index: number; message: string };
