/** One timestamped value (epoch seconds). */
export interface Point<T = number> {
  readonly ts: number;
  readonly value: T;
}

/**
 * Points of the last `windowSeconds` (reference §3, proposal §9.2): points older than
 * `now − window` are evicted on every append and every read, so a window never grows beyond what
 * arrived within its span. Appends are expected in roughly increasing time order (telemetry,
 * traces); an out-of-order point is inserted at its place so reads stay sorted.
 */
export class SlidingWindow<T = number> {
  private items: Point<T>[] = [];
  private head = 0;

  constructor(readonly windowSeconds: number) {
    if (!(windowSeconds > 0))
      throw new Error(`a window needs a positive size in seconds, got ${windowSeconds}`);
  }

  append(ts: number, value: T, now: number): void {
    const items = this.items;
    const last = items.length > this.head ? items[items.length - 1]! : undefined;
    if (last === undefined || last.ts <= ts) items.push({ ts, value });
    else {
      let i = items.length - 1;
      while (i > this.head && items[i - 1]!.ts > ts) i--;
      items.splice(i, 0, { ts, value });
    }
    this.evict(now);
  }

  /** The points with `ts ≥ now − window`, oldest first (a copy). */
  read(now: number): Point<T>[] {
    this.evict(now);
    return this.items.slice(this.head);
  }

  /** The points with `ts ≥ since` (after evicting by `now`). */
  since(since: number, now: number): Point<T>[] {
    this.evict(now);
    const items = this.items;
    let i = this.head;
    // binary search: first index with ts >= since
    let hi = items.length;
    while (i < hi) {
      const mid = (i + hi) >>> 1;
      if (items[mid]!.ts < since) i = mid + 1;
      else hi = mid;
    }
    return items.slice(i);
  }

  /** The newest point, if any is still inside the window. */
  latest(now: number): Point<T> | undefined {
    this.evict(now);
    return this.items.length > this.head ? this.items[this.items.length - 1] : undefined;
  }

  size(now: number): number {
    this.evict(now);
    return this.items.length - this.head;
  }

  private evict(now: number): void {
    const oldest = now - this.windowSeconds;
    const items = this.items;
    let head = this.head;
    while (head < items.length && items[head]!.ts < oldest) head++;
    if (head === items.length) {
      this.items = [];
      this.head = 0;
    } else if (head > 64 && head * 2 > items.length) {
      this.items = items.slice(head);
      this.head = 0;
    } else this.head = head;
  }
}

/** Windows by key, created on first write; a key whose window ran empty is dropped on read. */
export class WindowMap<T = number> {
  private readonly windows = new Map<string, SlidingWindow<T>>();

  constructor(readonly windowSeconds: number) {}

  append(key: string, ts: number, value: T, now: number): void {
    let window = this.windows.get(key);
    if (!window) {
      window = new SlidingWindow<T>(this.windowSeconds);
      this.windows.set(key, window);
    }
    window.append(ts, value, now);
  }

  read(key: string, now: number): Point<T>[] {
    const window = this.windows.get(key);
    if (!window) return [];
    const points = window.read(now);
    if (points.length === 0) this.windows.delete(key);
    return points;
  }

  since(key: string, since: number, now: number): Point<T>[] {
    return this.windows.get(key)?.since(since, now) ?? [];
  }

  latest(key: string, now: number): Point<T> | undefined {
    return this.windows.get(key)?.latest(now);
  }

  keys(): string[] {
    return [...this.windows.keys()];
  }
}
