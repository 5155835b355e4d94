import type { RequestTrace } from '@galileo/events';
import { createLogger } from '@galileo/logging';
import type { Router } from '@galileo/routing';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createClientGroup } from './client-group.js';
import type { Clock } from './clock.js';
import type { HttpClient, HttpOutcome } from './http-client.js';
import { createDefaultRequestFactory } from './request-factory.js';

// A client group over an HTTP client double that answers at once, as if each request had waited
// `queuedMs` for a connection: the group must take that wait as part of the send (trace `sent`,
// late count), since the request left only when it got its connection.

const logger = createLogger({ service: 'test', level: 'silent' });

const router: Router = {
  type: 'StaticRouter',
  route: () => Promise.resolve({ ok: true, url: 'http://backend/', host: 'backend' }),
  routeCached: () => ({ ok: true, url: 'http://backend/', host: 'backend' }),
  close: () => Promise.resolve(),
};

function httpWaiting(queuedMs: number[]): HttpClient {
  let n = 0;
  const dispatch: HttpClient['dispatch'] = (_url, _request, _signal, done) => {
    const outcome: HttpOutcome = { status: 200, headers: '{}', body: 'ok', queuedMs: queuedMs[n++] ?? 0 };
    done(outcome);
  };
  return {
    dispatch,
    send: (url, request, signal) => new Promise((resolve) => dispatch(url, request, signal ?? null, resolve)),
    inFlight: 0,
    close: () => Promise.resolve(),
  };
}

describe('client group', () => {
  it('counts a request that waited for a connection past the threshold as late, and traces when it left', async () => {
    const now = 1_000_000;
    const clock: Clock = { now: () => now };
    const factory = createDefaultRequestFactory({ path: '/' });
    if (!factory.ok) throw new Error(factory.error);
    const traces: RequestTrace[] = [];
    const group = createClientGroup(
      {
        id: 'g1',
        worker: 'w',
        service: 'svc',
        clientIds: ['c1'],
        requests: factory.value,
        maxInFlight: 10,
        experimentId: null,
      },
      {
        clock,
        router,
        http: httpWaiting([0, 5, 40]),
        logger,
        lateThresholdMs: 10,
        recordTrace: (trace) => void traces.push(trace),
        onWorkloadDone: () => undefined,
      },
    );
    // three requests due now: on time, 5 ms in the client's queue, 40 ms in it
    group.startWorkload([[now, now, now][Symbol.iterator]()], {
      description: { n: 3 },
      experimentId: null,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(traces.map((t) => Math.round((t.sent - t.created) * 1000))).toEqual([0, 5, 40]);
    expect(group.info()).toMatchObject({ requests: 3, late: 1, dropped: 0 });
    await group.close(100);
  });

  it('names the experiment of the workload in its warnings, once', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(
          ...chunk
            .toString()
            .split('\n')
            .filter((l) => l !== ''),
        );
        done();
      },
    });
    const log = createLogger({ service: 'test', level: 'warn', destination }).child({ groupId: 'g2' });
    const now = 1_000_000;
    const factory = createDefaultRequestFactory({ path: '/' });
    if (!factory.ok) throw new Error(factory.error);
    const never: HttpClient = { ...httpWaiting([]), dispatch: () => undefined }; // never answers
    const group = createClientGroup(
      {
        id: 'g2',
        worker: 'w',
        service: 'svc',
        clientIds: ['c1'],
        requests: factory.value,
        maxInFlight: 1,
        experimentId: 'spawned-for',
      },
      {
        clock: { now: () => now },
        router,
        http: never,
        logger: log,
        lateThresholdMs: 10,
        recordTrace: () => undefined,
        onWorkloadDone: () => undefined,
      },
    );
    group.startWorkload([[now, now][Symbol.iterator]()], { description: { n: 2 }, experimentId: 'exp-42' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(group.info()).toMatchObject({ requests: 1, dropped: 1 });
    const warning = lines.find((l) => l.includes('requests dropped'))!;
    expect(warning.match(/"experimentId"/g)).toHaveLength(1);
    expect(JSON.parse(warning)).toMatchObject({ groupId: 'g2', experimentId: 'exp-42' });
    await group.close(10);
  });
});
