import { setMaxListeners } from 'node:events';
import type { ClientGroupInfo, ClientGroupState, WorkloadDescription } from '@galileo/workers';
import type { RequestTrace } from '@galileo/events';
import type { Logger } from '@galileo/logging';
import type { Route, Router } from '@galileo/routing';
import type { Clock } from './clock.js';
import type { HttpClient } from './http-client.js';
import { createLatencyRecorder } from './latency-recorder.js';
import type { ClientRequests, HttpRequestSpec, RequestFactory } from './request-factory.js';
import { createRequestIds } from './request-ids.js';
import { createArrivalScheduler, type ArrivalScheduler } from './scheduler.js';

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export interface ClientGroupSpec {
  id: string;
  worker: string;
  service: string;
  clientIds: readonly string[];
  requests: RequestFactory;
  maxInFlight: number;
  /** The experiment the group was spawned for; a workload without its own correlationId uses it. */
  experimentId: string | null;
}

export interface ClientGroupDeps {
  clock: Clock;
  router: Router;
  http: HttpClient;
  /**
   * Carries the group id already, not the experiment: the group's logs name the experiment of the
   * workload they are about (a workload's correlationId may differ from the spawn's).
   */
  logger: Logger;
  /** Requests leaving later than this after their intended time count as late. */
  lateThresholdMs: number;
  recordTrace(trace: RequestTrace, experimentId: string | null): void;
  /** A limited workload ended and its last request completed. */
  onWorkloadDone(group: ClientGroup, done: { requests: number; experimentId: string | null }): void;
}

export interface ClientGroup {
  readonly id: string;
  readonly service: string;
  readonly clientIds: readonly string[];
  /** Replaces the current workload: one schedule of intended times (epoch ms) per client. */
  startWorkload(
    schedules: readonly Iterator<number, void, undefined>[],
    workload: { description: WorkloadDescription; experimentId: string | null },
  ): void;
  pause(): void;
  /** Stops sending, waits up to `timeoutMs` for outstanding requests, then aborts the rest. */
  close(timeoutMs: number): Promise<void>;
  info(): ClientGroupInfo;
}

interface Workload {
  readonly description: WorkloadDescription;
  readonly experimentId: string | null;
  readonly startedMs: number;
  endedMs: number | null;
  requests: number;
  inFlight: number;
  scheduleEnded: boolean;
  scheduler: ArrivalScheduler | null;
}

/**
 * A group of emulated clients of one service. Its scheduler sends every request at its intended
 * time (open loop); a due request is sent, counted late if it leaves after the threshold, or
 * dropped when the group already has `maxInFlight` requests outstanding. Every sent request
 * becomes a trace; its latency goes into the group's histograms.
 */
export function createClientGroup(spec: ClientGroupSpec, deps: ClientGroupDeps): ClientGroup {
  const { clock, router, http, logger, lateThresholdMs } = deps;
  const clients = spec.clientIds.map((clientId) => ({
    clientId,
    counter: 0,
    requests: spec.requests.forClient({
      worker: spec.worker,
      service: spec.service,
      clientId,
    }) as ClientRequests,
  }));
  const latency = createLatencyRecorder();
  const requestId = createRequestIds();
  const abort = new AbortController();
  setMaxListeners(0, abort.signal); // one listener per outstanding request
  const counts = { requests: 0, failures: 0, late: 0, dropped: 0 };
  let inFlight = 0;
  let state: ClientGroupState = 'idle';
  let workload: Workload | null = null;
  const idleWaiters: (() => void)[] = [];
  let lastDropWarning = 0;

  const onDue = (w: Workload, client: number, intendedMs: number, nowMs: number): void => {
    if (inFlight >= spec.maxInFlight) {
      counts.dropped++;
      if (nowMs - lastDropWarning > 5_000) {
        lastDropWarning = nowMs;
        logger.warn(
          { experimentId: w.experimentId, maxInFlight: spec.maxInFlight, dropped: counts.dropped },
          'requests dropped: the group is at its bound of outstanding requests',
        );
      }
      return;
    }
    if (nowMs - intendedMs > lateThresholdMs) counts.late++;
    counts.requests++;
    w.requests++;
    inFlight++;
    w.inFlight++;
    perform(w, client, intendedMs);
  };

  type Client = (typeof clients)[number];

  /**
   * One request: its request spec, its route, the send, the trace. Written with callbacks rather
   * than async/await: with a synchronous request factory and a cached route (the common case) a
   * request costs no promise and no microtask of its own before the HTTP client takes it.
   */
  function perform(w: Workload, index: number, intendedMs: number): void {
    const client = clients[index]!;
    const id = requestId(++client.counter);
    let next: HttpRequestSpec | Promise<HttpRequestSpec>;
    try {
      next = client.requests.next();
    } catch (e) {
      return complete(w, client, id, intendedMs, -1, null, null, errorText(e));
    }
    if (next instanceof Promise) {
      next.then(
        (request) => route(w, client, id, intendedMs, request),
        (e: unknown) => complete(w, client, id, intendedMs, -1, null, null, errorText(e)),
      );
    } else route(w, client, id, intendedMs, next);
  }

  function route(
    w: Workload,
    client: Client,
    requestId: string,
    intendedMs: number,
    request: HttpRequestSpec,
  ): void {
    let cached: Route | undefined;
    try {
      cached = router.routeCached?.(spec.service, request.path);
    } catch (e) {
      return complete(w, client, requestId, intendedMs, -1, null, null, errorText(e));
    }
    if (cached) return send(w, client, requestId, intendedMs, request, cached);
    router.route(spec.service, request.path).then(
      (found) => send(w, client, requestId, intendedMs, request, found),
      (e: unknown) => complete(w, client, requestId, intendedMs, -1, null, null, errorText(e)),
    );
  }

  function send(
    w: Workload,
    client: Client,
    requestId: string,
    intendedMs: number,
    request: HttpRequestSpec,
    found: Route,
  ): void {
    if (!found.ok) return complete(w, client, requestId, intendedMs, -1, null, null, found.error);
    const sentMs = clock.now();
    if (found.simulated) return complete(w, client, requestId, intendedMs, sentMs, found.host, '{}', '', 200);
    http.dispatch(found.url, request, abort.signal, (outcome) => {
      // a request that waited in the HTTP client for a connection left when it got one: that is its
      // send time, and it is late if that is past the threshold (and was not counted late already)
      let leftMs = sentMs;
      if (outcome.queuedMs > 0) {
        leftMs = sentMs + outcome.queuedMs;
        if (leftMs - intendedMs > lateThresholdMs && sentMs - intendedMs <= lateThresholdMs) counts.late++;
      }
      complete(
        w,
        client,
        requestId,
        intendedMs,
        leftMs,
        found.host,
        outcome.headers,
        outcome.body,
        outcome.status,
      );
    });
  }

  /** The request ended (sent or not): its latency, counters and trace. `sentMs` −1: never sent. */
  function complete(
    w: Workload,
    client: Client,
    requestId: string,
    intendedMs: number,
    sentMs: number,
    server: string | null,
    headers: string | null,
    response: string | null,
    status = -1,
  ): void {
    const doneMs = clock.now();
    // A request may leave up to DISPATCH_EARLY_MS before its intended time: its response time then
    // counts from the send, so it is never shorter than its service time.
    if (sentMs >= 0) latency.record(doneMs - sentMs, doneMs - Math.min(intendedMs, sentMs));
    if (status < 0 || status >= 300) counts.failures++;
    deps.recordTrace(
      {
        request_id: requestId,
        client: client.clientId,
        service: spec.service,
        created: intendedMs / 1000,
        sent: sentMs < 0 ? -1 : sentMs / 1000,
        done: doneMs / 1000,
        status,
        server,
        exp_id: w.experimentId,
        headers,
        response,
      },
      w.experimentId,
    );
    inFlight--;
    w.inFlight--;
    if (inFlight === 0) idleWaiters.splice(0).forEach((resolve) => resolve());
    finishIfDone(w);
  }

  function finishIfDone(w: Workload): void {
    if (w !== workload || !w.scheduleEnded || w.inFlight > 0 || state !== 'running') return;
    state = 'done';
    w.endedMs ??= clock.now();
    deps.onWorkloadDone(group, { requests: w.requests, experimentId: w.experimentId });
  }

  function stopCurrent(): void {
    if (workload?.scheduler?.running) {
      workload.scheduler.stop();
      workload.endedMs = clock.now();
    }
  }

  /** True when no request is outstanding, at once or within `ms`. */
  async function idleWithin(ms: number): Promise<boolean> {
    if (inFlight === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => idleWaiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
    ]);
    clearTimeout(timer);
    return inFlight === 0;
  }

  const group: ClientGroup = {
    id: spec.id,
    service: spec.service,
    clientIds: spec.clientIds,

    startWorkload(schedules, { description, experimentId }) {
      if (state === 'closing' || state === 'closed') throw new Error(`client group '${spec.id}' is ${state}`);
      stopCurrent();
      const w: Workload = {
        description,
        experimentId: experimentId ?? spec.experimentId,
        startedMs: clock.now(),
        endedMs: null,
        requests: 0,
        inFlight: 0,
        scheduleEnded: false,
        scheduler: null,
      };
      workload = w;
      state = 'running';
      w.scheduler = createArrivalScheduler({
        schedules,
        clock,
        onDue: (client, intendedMs, nowMs) => onDue(w, client, intendedMs, nowMs),
        onExhausted: () => {
          w.scheduleEnded = true;
          w.endedMs = clock.now();
          finishIfDone(w);
        },
      });
      w.scheduler.start();
    },

    pause() {
      if (state === 'closing' || state === 'closed') throw new Error(`client group '${spec.id}' is ${state}`);
      stopCurrent();
      if (state === 'running') state = 'paused';
    },

    async close(timeoutMs) {
      if (state === 'closed') return;
      stopCurrent();
      state = 'closing';
      if (!(await idleWithin(timeoutMs))) {
        logger.warn(
          { experimentId: workload?.experimentId ?? spec.experimentId, inFlight },
          'aborting outstanding requests after the shutdown timeout',
        );
        abort.abort(new Error('client group closed'));
        // an aborted HTTP request ends at once; a client app stuck in nextRequest may not
        await idleWithin(1_000);
      }
      state = 'closed';
    },

    info() {
      const w = workload;
      const elapsedMs = w ? (w.endedMs ?? clock.now()) - w.startedMs : 0;
      return {
        groupId: spec.id,
        worker: spec.worker,
        service: spec.service,
        client: spec.requests.app,
        clientIds: [...spec.clientIds],
        state,
        experimentId: w?.experimentId ?? spec.experimentId,
        workload: w?.description ?? null,
        maxInFlight: spec.maxInFlight,
        ...counts,
        inFlight,
        achievedRate: w && elapsedMs > 0 ? (w.requests * 1000) / elapsedMs : 0,
        latencyMs: latency.summary(),
      };
    },
  };
  return group;
}
