/** Why an event could not be created or decoded. Always a value, never a throw. */
export type EventError =
  | { kind: 'invalid-json'; message: string }
  | { kind: 'invalid-envelope'; message: string }
  | { kind: 'unknown-type'; type: string; message: string }
  | { kind: 'unsupported-version'; type: string; version: number; message: string }
  | { kind: 'invalid-payload'; type: string; message: string; issues: readonly string[] };
