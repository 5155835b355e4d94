import type { RejectedRow } from '../types.js';

/** Collects the rows an idempotent insert can store and the reasons for those it cannot. */
export class RowCheck {
  readonly rejected: RejectedRow[] = [];

  reject(index: number, reason: string): void {
    this.rejected.push({ index, reason });
  }

  /** An identity must fit its column: cutting it could merge two different rows. */
  identity(index: number, field: string, value: unknown, max: number): value is string {
    if (typeof value !== 'string' || value.length === 0) {
      this.reject(index, `${field} must be a non-empty string`);
      return false;
    }
    if (value.length > max) {
      this.reject(index, `${field} must be at most ${max} characters, got ${value.length}`);
      return false;
    }
    return true;
  }

  finite(index: number, field: string, value: unknown): value is number {
    if (typeof value === 'number' && Number.isFinite(value)) return true;
    this.reject(index, `${field} must be a finite number, got ${String(value)}`);
    return false;
  }

  text(index: number, field: string, value: unknown): value is string {
    if (typeof value === 'string') return true;
    this.reject(index, `${field} must be a string, got ${typeof value}`);
    return false;
  }
}
