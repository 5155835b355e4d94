/** A value, or an error message a user can act on. Validation and routing never throw (STYLE §8). */
export type RoutingResult<T> = { ok: true; value: T } | { ok: false; error: string };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });
