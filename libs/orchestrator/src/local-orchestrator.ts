import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { PodEventPayload, PodLifecycleEvent } from '@galileo/events';
import { kubernetesName, replicaLabels } from './pod-manifest.js';
import { FUNCTION_LABEL, orchestratorError, type Orchestrator, type PodListener } from './types.js';

export interface LocalOrchestratorOptions {
  /** The command of a replica; it must print a JSON line `{"msg":"listening","port":N}` (default: the sample app via tsx). */
  command?: readonly string[];
  /** Extra environment of every replica (e.g. SAMPLE_APP_CPU_MS). */
  env?: Readonly<Record<string, string>>;
  /** Host the replicas bind to and are reached at (default 127.0.0.1). */
  host?: string;
  /** The node a replica of a zone is reported on (default: this host's name). */
  nodeName?: (zone: string) => string;
  /** Most replicas at once; more are refused (default 32). */
  maxPods?: number;
  /** How long a replica may take to answer /healthz after it said it listens (default 20 s). */
  startTimeoutMs?: number;
  /** How long a replica may take to exit after SIGTERM before it is killed (default 5 s). */
  stopTimeoutMs?: number;
  logger?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
}

interface LocalPod {
  name: string;
  namespace: string;
  uid: string;
  fn: string;
  image: string;
  labels: Record<string, string>;
  requests: Record<string, string>;
  nodeName: string;
  child: ChildProcess;
  port: number;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  startTime: string;
  stopping: boolean;
  exited: Promise<void>;
}

/** The sample app's main.ts, started through tsx from its own folder (tsx resolves from there). */
function sampleAppCommand(): { command: string[]; cwd: string } {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@galileo/sample-app');
  const dir = dirname(entry);
  return { command: [process.execPath, '--import', 'tsx', join(dir, 'main.ts')], cwd: dirname(dir) };
}

/**
 * The embedded default: a replica is a child process of the sample app on a free port, labelled
 * with its function and zone, reported with the same pod/* events as on Kubernetes (Pending until
 * it answers /healthz, then Running), stopped on delete and on close.
 */
export function createLocalOrchestrator(options: LocalOrchestratorOptions = {}): Orchestrator & {
  /** The URL a replica answers at, once running. */
  urlOf(name: string): string | null;
} {
  const host = options.host ?? '127.0.0.1';
  const nodeName = options.nodeName ?? (() => hostname());
  const maxPods = options.maxPods ?? 32;
  const pods = new Map<string, LocalPod>();
  const listeners = new Set<PodListener>();
  let closed = false;
  const defaults = options.command ? { command: [...options.command], cwd: process.cwd() } : null;

  const payload = (p: LocalPod): PodEventPayload => {
    const container = kubernetesName(p.labels[FUNCTION_LABEL] ?? p.fn);
    const quoted: Record<string, string> = {};
    for (const [k, v] of Object.entries(p.requests)) quoted[k] = JSON.stringify(v);
    return {
      podUid: p.uid,
      containers: {
        [container]: {
          id: p.child.pid === undefined ? '' : `local://${p.child.pid}`,
          name: container,
          image: p.image,
          port: p.port,
          resource_requests: quoted,
          resource_limits: {},
        },
      },
      namespace: p.namespace,
      hostIP: host,
      name: p.name,
      nodeName: p.nodeName,
      podIP: host,
      qosClass: Object.keys(p.requests).length > 0 ? 'Burstable' : 'BestEffort',
      startTime: p.startTime,
      labels: { ...p.labels },
      status: p.phase,
    };
  };
  const emit = (event: PodLifecycleEvent, p: LocalPod) => {
    const body = payload(p);
    for (const l of listeners) {
      try {
        l(event, body);
      } catch (e) {
        options.logger?.warn({ err: e, pod: p.name }, 'pod listener failed');
      }
    }
  };

  const probe = async (p: LocalPod) => {
    const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
    while (!p.stopping && Date.now() < deadline) {
      try {
        const res = await fetch(`http://${host}:${p.port}/healthz`, { signal: AbortSignal.timeout(1_000) });
        await res.arrayBuffer();
        if (res.ok) {
          if (p.stopping) return;
          p.phase = 'Running';
          emit('running', p);
          return;
        }
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!p.stopping) {
      options.logger?.warn({ pod: p.name }, 'replica did not answer /healthz in time; stopping it');
      void stop(p);
    }
  };

  const stop = async (p: LocalPod) => {
    if (!p.stopping) {
      p.stopping = true;
      emit('shutdown', p);
      p.child.kill('SIGTERM');
      const timer = setTimeout(() => p.child.kill('SIGKILL'), options.stopTimeoutMs ?? 5_000);
      timer.unref();
      await p.exited;
      clearTimeout(timer);
    } else await p.exited;
  };

  return {
    kind: 'local',
    urlOf(name) {
      const p = pods.get(kubernetesName(name));
      return p && p.phase === 'Running' ? `http://${host}:${p.port}` : null;
    },
    async createPod(request) {
      if (closed) return orchestratorError('unavailable', 'the local orchestrator is closed');
      const name = kubernetesName(request.podName);
      if (pods.has(name)) return { ok: true, value: { name, created: false } };
      if (pods.size >= maxPods) {
        return orchestratorError(
          'refused',
          `the local orchestrator runs at most ${maxPods} replicas (pod_creator_local_max_pods); ${name} was not started`,
        );
      }
      const labels = replicaLabels(request);
      const { command, cwd } = defaults ?? sampleAppCommand();
      const child = spawn(command[0]!, command.slice(1), {
        cwd,
        env: {
          ...process.env,
          ...options.env,
          SAMPLE_APP_PORT: '0',
          SAMPLE_APP_HOST: host,
          SAMPLE_APP_NAME: name,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let resolveExit!: () => void;
      const pod: LocalPod = {
        name,
        namespace: request.namespace,
        uid: randomUUID(),
        fn: request.fn,
        image: request.image,
        labels,
        requests: { ...request.resourceRequests },
        nodeName: nodeName(request.zone),
        child,
        port: -1,
        phase: 'Pending',
        startTime: new Date().toISOString(),
        stopping: false,
        exited: new Promise<void>((r) => (resolveExit = r)),
      };
      pods.set(name, pod);
      let buffered = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        if (pod.port !== -1) return;
        buffered += chunk;
        for (const line of buffered.split('\n')) {
          try {
            const msg = JSON.parse(line) as { msg?: string; port?: number };
            if (msg.msg === 'listening' && typeof msg.port === 'number') {
              pod.port = msg.port;
              void probe(pod);
              return;
            }
          } catch {
            // not a JSON line
          }
        }
        buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
      });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-2_000);
      });
      child.once('error', (e) =>
        options.logger?.warn({ err: e.message, pod: name }, 'replica failed to start'),
      );
      child.once('exit', (code, signal) => {
        pod.phase = pod.stopping && (code === 0 || signal === 'SIGTERM') ? 'Succeeded' : 'Failed';
        if (!pod.stopping) {
          options.logger?.warn(
            { pod: name, code, signal, stderr: stderr.slice(-500) },
            'replica exited on its own',
          );
        }
        pods.delete(name);
        emit('delete', pod);
        resolveExit();
      });
      emit('create', pod);
      emit('pending', pod);
      return { ok: true, value: { name, created: true } };
    },
    async deletePod(podName) {
      const p = pods.get(kubernetesName(podName));
      if (!p) return { ok: true, value: { deleted: false } };
      await stop(p);
      return { ok: true, value: { deleted: true } };
    },
    async listPods() {
      return [...pods.values()].map(payload);
    },
    async watch(listener) {
      listeners.add(listener);
      for (const p of pods.values()) {
        listener('create', payload(p));
        if (p.phase === 'Running') listener('running', payload(p));
      }
      return {
        async stop() {
          listeners.delete(listener);
        },
      };
    },
    async close() {
      closed = true;
      await Promise.all([...pods.values()].map(stop));
      listeners.clear();
    },
  };
}
