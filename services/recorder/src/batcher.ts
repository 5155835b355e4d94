/**
 * Collects records and writes them in batches bounded in size and in time: a batch is written
 * when it holds `maxSize` records or its first record waited `maxWaitMs`. `add` resolves when the
 * record's batch was written (the caller acknowledges then) and rejects when the write gave up.
 * An item may stand for several records (a chunk of a batch event): `add(item, size)`; the
 * caller keeps `size` within `room()` so that no batch holds more than `maxSize` records.
 * Every item added to one batch gets the same promise.
 */
export interface Batcher<T> {
  add(item: T, size?: number): Promise<void>;
  /** Records the batch being filled can still take (1..maxSize). */
  room(): number;
  /** Writes what is buffered now and waits for every write in progress. */
  flush(): Promise<void>;
  /** Records waiting or being written. */
  pending(): number;
}

export interface BatcherOptions<T> {
  maxSize: number;
  maxWaitMs: number;
  /** Writes at once (default 2: one fills while one is written). */
  maxConcurrent?: number;
  write(items: T[]): Promise<void>;
}

/** One batch: its records and one promise for all of them (no promise per record on the hot path). */
interface Slot<T> {
  items: T[];
  /** Records the items stand for. */
  size: number;
  done: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

function newSlot<T>(): Slot<T> {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  done.catch(() => undefined); // a batch nobody waits for must not be an unhandled rejection
  return { items: [], size: 0, done, resolve, reject };
}

export function createBatcher<T>(options: BatcherOptions<T>): Batcher<T> {
  const maxConcurrent = options.maxConcurrent ?? 2;
  let current: Slot<T> = newSlot();
  let timer: NodeJS.Timeout | null = null;
  const ready: Slot<T>[] = [];
  const writing = new Set<Promise<void>>();
  let inWrite = 0;

  const seal = () => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (current.items.length === 0) return;
    ready.push(current);
    current = newSlot();
    drain();
  };

  /**
   * Starts writes while fewer than `maxConcurrent` run. Batches sealed while every write was busy
   * are coalesced (up to `maxSize`), so a slow store gets fewer, larger writes instead of a queue of
   * small ones.
   */
  const drain = () => {
    while (writing.size < maxConcurrent && ready.length > 0) {
      const group = [ready.shift()!];
      let size = group[0]!.size;
      while (ready.length > 0 && size + ready[0]!.size <= options.maxSize) {
        const next = ready.shift()!;
        size += next.size;
        group.push(next);
      }
      const items = group.length === 1 ? group[0]!.items : group.flatMap((g) => g.items);
      inWrite += size;
      const p = options.write(items).then(
        () => group.forEach((g) => g.resolve()),
        (e: unknown) => group.forEach((g) => g.reject(e)),
      );
      const tracked = p.finally(() => {
        inWrite -= size;
        writing.delete(tracked);
        drain();
      });
      writing.add(tracked);
    }
  };

  return {
    add(item, size = 1) {
      const slot = current;
      slot.items.push(item);
      slot.size += size;
      if (slot.size >= options.maxSize) seal();
      else if (!timer) timer = setTimeout(seal, options.maxWaitMs);
      return slot.done;
    },
    room: () => Math.max(1, options.maxSize - current.size),
    async flush() {
      seal();
      while (writing.size > 0 || ready.length > 0) await Promise.all([...writing]);
    },
    pending: () => current.size + ready.reduce((n, s) => n + s.size, 0) + inWrite,
  };
}
