import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.js';

describe('batcher', () => {
  it('writes when a batch is full, resolving its records only after the write', async () => {
    const written: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = createBatcher<number>({
      maxSize: 3,
      maxWaitMs: 10_000,
      write: async (items) => {
        await gate;
        written.push(items);
      },
    });
    let done = 0;
    const adds = [1, 2, 3].map((n) => b.add(n).then(() => done++));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(0);
    expect(b.pending()).toBe(3);
    release();
    await Promise.all(adds);
    expect(written).toEqual([[1, 2, 3]]);
    expect(b.pending()).toBe(0);
  });

  it('writes a partial batch after maxWaitMs and rejects its records when the write fails', async () => {
    const b = createBatcher<number>({
      maxSize: 100,
      maxWaitMs: 30,
      write: async (items) => {
        if (items.includes(13)) throw new Error('store gone');
      },
    });
    const started = Date.now();
    await b.add(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    await expect(b.add(13)).rejects.toThrow('store gone');
  });

  it('flush writes what is buffered and waits for writes in progress', async () => {
    const written: number[] = [];
    const b = createBatcher<number>({
      maxSize: 100,
      maxWaitMs: 60_000,
      write: async (items) => {
        await new Promise((r) => setTimeout(r, 10));
        written.push(...items);
      },
    });
    void b.add(1);
    void b.add(2);
    await b.flush();
    expect(written).toEqual([1, 2]);
  });
});

describe('batcher under a slow store', () => {
  it('coalesces batches sealed while every write was busy, up to maxSize', async () => {
    const sizes: number[] = [];
    let release!: () => void;
    let gate = new Promise<void>((r) => (release = r));
    const b = createBatcher<number>({
      maxSize: 10,
      maxWaitMs: 5,
      maxConcurrent: 1,
      write: async (items) => {
        sizes.push(items.length);
        await gate;
      },
    });
    const adds = [b.add(0)];
    await new Promise((r) => setTimeout(r, 20)); // first batch (1 record) is being written
    for (let i = 1; i <= 3; i++) {
      adds.push(b.add(i));
      await new Promise((r) => setTimeout(r, 15)); // each sealed by time while the store is busy
    }
    const r1 = release;
    gate = Promise.resolve();
    r1();
    await Promise.all(adds);
    expect(sizes).toEqual([1, 3]);
  });
});

describe('batcher with items of several records', () => {
  it('counts sizes, reports the room left and seals at maxSize records', async () => {
    const written: string[][] = [];
    const b = createBatcher<string>({
      maxSize: 10,
      maxWaitMs: 60_000,
      write: async (items) => void written.push(items),
    });
    const first = b.add('a', 4);
    expect(b.room()).toBe(6);
    expect(b.add('b', 5)).toBe(first); // one promise per batch
    expect(b.pending()).toBe(9);
    expect(b.room()).toBe(1);
    const sealed = b.add('c', 1);
    expect(b.room()).toBe(10);
    await sealed;
    await b.flush();
    expect(written).toEqual([['a', 'b', 'c']]);
    expect(b.pending()).toBe(0);
  });
});
