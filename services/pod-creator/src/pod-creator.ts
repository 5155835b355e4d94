import type { Bus, Subscription } from '@galileo/bus';
import {
  formatPodEventLine,
  scaleSchedulePayloadSchema,
  scalingSubjects,
  type GalileoCatalogue,
  type PodEventPayload,
  type PodLifecycleEvent,
  type ScaleSchedulePayload,
} from '@galileo/events';
import type { Logger } from '@galileo/logging';
import {
  imageAllowed,
  kubernetesName,
  type Orchestrator,
  type PodCreateRequest,
  type PodWatch,
} from '@galileo/orchestrator';
import { startHealthServer, type HealthServer } from '@galileo/runtime';
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, Registry } from 'prom-client';
import type { PodCreatorConfig } from './config.js';

export const GALILEO_EVENTS = 'galileo/events';
const ZONE_LABEL = 'ether.edgerun.io/zone';

export interface PodCreatorDeps {
  bus: Bus<GalileoCatalogue>;
  /** BullMQ's connection (duplicated for the worker and the queue events) and the mirror's PUBLISH. */
  redis: Redis;
  orchestrator: Orchestrator;
  config: PodCreatorConfig;
  logger: Logger;
  /** The mirror's pub/sub channel (default `galileo/events`; tests use their own). */
  mirrorChannel?: string;
  /** Consumer group on the bus (default `pod-creator`). */
  group?: string;
}

export type PodJob =
  | { action: 'create'; request: PodCreateRequest; fn: string; eventId: string }
  | { action: 'delete'; name: string; namespace: string; fn: string; eventId: string };

export type Decision = { ok: true; job: PodJob } | { ok: false; reason: string };

export interface PodCreator {
  start(): Promise<void>;
  /** Stops consuming, lets the running job finish, stops watching; the orchestrator stays open. */
  stop(): Promise<void>;
  /** Turns one scale_schedule value into a job, or a refusal with a reason (pure apart from the allow-list). */
  decide(value: unknown, eventId: string): Decision;
  readonly queue: Queue;
  readonly metrics: Registry;
  readonly httpPort: number | null;
}

/** BullMQ job ids may not contain `:`; one id per action and pod makes a redelivered event a no-op. */
export const jobIdOf = (job: PodJob) =>
  `${job.action}-${job.action === 'create' ? kubernetesName(job.request.podName) : kubernetesName(job.name)}`;

export function scheduleToJob(
  payload: ScaleSchedulePayload,
  eventId: string,
  allowedImages: readonly string[],
): Decision {
  const pod = payload.pod;
  const readme = payload.pod_creation_request;
  const name = pod?.pod_name ?? readme!.pod_name;
  const namespace = pod?.namespace ?? readme?.namespace ?? 'default';
  if (payload.delete === true)
    return { ok: true, job: { action: 'delete', name, namespace, fn: payload.fn, eventId } };
  const image = pod?.image ?? readme!.image;
  const allowed = imageAllowed(image, allowedImages);
  if (!allowed.ok) return { ok: false, reason: allowed.reason };
  const labels = pod?.labels ?? readme!.labels;
  const zone = payload.dest_zone ?? labels[ZONE_LABEL];
  if (!zone)
    return {
      ok: false,
      reason: `scale_schedule for ${name} names no destination zone (dest_zone or the ${ZONE_LABEL} label)`,
    };
  return {
    ok: true,
    job: {
      action: 'create',
      fn: payload.fn,
      eventId,
      request: {
        podName: name,
        fn: payload.fn,
        image,
        labels,
        zone,
        namespace,
        resourceRequests: pod?.resource_requests ?? {},
      },
    },
  };
}

/**
 * Turns `scale_schedule` events into pods: each create or delete becomes a BullMQ job (retried with
 * exponential backoff, idempotent by pod name), run against the configured orchestrator, whose pod
 * lifecycle is published as `pod/<event>` GalileoEvents (and mirrored on `galileo/events` in
 * telemd-kubernetes-adapter's format) so the contexts see pod state.
 */
export function createPodCreator(deps: PodCreatorDeps): PodCreator {
  const { bus, redis, orchestrator, config, logger } = deps;
  const channel = deps.mirrorChannel ?? GALILEO_EVENTS;
  const queueName = 'pod-creator';
  const prefix = `${config.redis.keyPrefix}bull`;
  const queue = new Queue(queueName, { connection: redis, prefix });
  const registry = new Registry();
  const events = new Counter({
    name: 'galileo_pod_creator_events_total',
    help: 'scale_schedule events, by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const jobs = new Counter({
    name: 'galileo_pod_creator_jobs_total',
    help: 'Jobs run, by action and outcome.',
    labelNames: ['action', 'outcome'],
    registers: [registry],
  });
  const podEvents = new Counter({
    name: 'galileo_pod_creator_pod_events_total',
    help: 'Pod lifecycle events published.',
    labelNames: ['event'],
    registers: [registry],
  });
  let worker: Worker | null = null;
  let queueEvents: QueueEvents | null = null;
  let subscription: Subscription | null = null;
  let watch: PodWatch | null = null;
  let health: HealthServer | null = null;
  let publishing: Promise<unknown> = Promise.resolve();
  const connections: Redis[] = [];

  const decide = (value: unknown, eventId: string): Decision => {
    const parsed = scaleSchedulePayloadSchema.safeParse(value);
    if (!parsed.success) {
      return {
        ok: false,
        reason: `not a scale_schedule value: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ')}`,
      };
    }
    return scheduleToJob(parsed.data, eventId, config.allowedImages ?? []);
  };

  const publishPodEvent = (event: PodLifecycleEvent, pod: PodEventPayload) => {
    const ts = Date.now() / 1000;
    const name = `pod/${event}`;
    podEvents.inc({ event });
    publishing = publishing
      .then(async () => {
        await bus.publish(scalingSubjects.pod(event), {
          type: 'GalileoEvent',
          data: { name, value: pod, timestamp: ts },
        });
        if (config.mirror) {
          const line = formatPodEventLine(ts, event, pod);
          await bus.internals.markMirrored(channel, line);
          await redis.publish(channel, line);
        }
      })
      .catch((e: unknown) =>
        logger.warn({ err: e, pod: pod.name, event }, 'pod event could not be published'),
      );
  };

  const refuse = async (reason: string, value: unknown) => {
    events.inc({ outcome: 'refused' });
    const v = value as { fn?: string; pod?: { pod_name?: string } } | null;
    logger.warn({ fn: v?.fn, pod: v?.pod?.pod_name, reason }, 'scale_schedule refused');
    await bus.publish(scalingSubjects.event('scale_schedule_refused'), {
      type: 'GalileoEvent',
      data: {
        name: 'scale_schedule_refused',
        value: { ts: Date.now() / 1000, fn: v?.fn ?? null, pod_name: v?.pod?.pod_name ?? null, reason },
        timestamp: Date.now() / 1000,
      },
    });
  };

  const process = async (job: Job<PodJob>) => {
    const data = job.data;
    if (config.dryRun) {
      logger.info({ job: job.id, ...data }, 'dry run: not acting');
      return { dryRun: true };
    }
    const result =
      data.action === 'create'
        ? await orchestrator.createPod(data.request)
        : await orchestrator.deletePod(data.name, data.namespace);
    if (result.ok) {
      jobs.inc({ action: data.action, outcome: 'ok' });
      logger.info(
        { job: job.id, fn: data.fn, attempt: job.attemptsMade + 1, ...result.value },
        `pod ${data.action} done`,
      );
      return result.value;
    }
    const { error } = result;
    jobs.inc({ action: data.action, outcome: error.retryable ? 'retry' : 'failed' });
    logger.warn(
      { job: job.id, fn: data.fn, attempt: job.attemptsMade + 1, error },
      `pod ${data.action} failed`,
    );
    if (!error.retryable) throw new UnrecoverableError(`${error.kind}: ${error.message}`);
    throw new Error(`${error.kind}: ${error.message}`);
  };

  return {
    queue,
    decide,
    get metrics() {
      return registry;
    },
    get httpPort() {
      return health?.port ?? null;
    },
    async start() {
      const workerConnection = redis.duplicate({ maxRetriesPerRequest: null });
      const eventsConnection = redis.duplicate({ maxRetriesPerRequest: null });
      connections.push(workerConnection, eventsConnection);
      // Sync mode runs one job at a time, like the original's blocking calls.
      worker = new Worker<PodJob>(queueName, process, {
        connection: workerConnection,
        prefix,
        concurrency: config.asyncPodCreation ? 4 : 1,
      });
      worker.on('failed', (job, err) => {
        if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
          logger.error({ job: job.id, err: err.message }, 'pod job failed for good');
      });
      queueEvents = new QueueEvents(queueName, { connection: eventsConnection, prefix });
      await Promise.all([worker.waitUntilReady(), queueEvents.waitUntilReady()]);
      watch = await orchestrator.watch(publishPodEvent);
      subscription = await bus.subscribe(scalingSubjects.scaleSchedule(), {
        group: deps.group ?? 'pod-creator',
        maxDeliveries: 5,
        handler: async (event) => {
          if (event.type !== 'GalileoEvent' || event.data.name !== 'scale_schedule') return;
          const decision = decide(event.data.value, event.id);
          if (!decision.ok) {
            await refuse(decision.reason, event.data.value);
            return;
          }
          const jobId = jobIdOf(decision.job);
          const existing = await queue.getJob(jobId);
          if (existing) {
            events.inc({ outcome: 'duplicate' });
            logger.info(
              { job: jobId, event: event.id },
              'scale_schedule already handled (same pod): ignored',
            );
            return;
          }
          const job = await queue.add(decision.job.action, decision.job, {
            jobId,
            attempts: config.jobAttempts,
            backoff: { type: 'exponential', delay: config.jobBackoff },
            removeOnComplete: { age: Math.ceil(config.jobRetention / 1000) },
            removeOnFail: { age: Math.ceil(config.jobRetention / 1000) },
          });
          events.inc({ outcome: 'queued' });
          if (!config.asyncPodCreation) {
            await job.waitUntilFinished(queueEvents!, config.syncTimeout).catch((e: unknown) => {
              // the job's own retries continue; the event is done once its job exists
              logger.warn({ job: jobId, err: (e as Error).message }, 'pod job did not succeed (yet)');
            });
          }
        },
      });
      if (config.httpPort > 0) {
        health = await startHealthServer({
          port: config.httpPort,
          host: config.httpHost,
          registry,
          health: () => ({ healthy: worker?.isRunning() ?? false, orchestrator: orchestrator.kind }),
        });
      }
    },
    async stop() {
      await subscription?.stop();
      await worker?.close();
      await queueEvents?.close();
      await watch?.stop();
      await publishing;
      await queue.close();
      await health?.close();
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
      connections.length = 0;
    },
  };
}
