import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * A TEST DOUBLE of the Kubernetes API server's core/v1 pod endpoints — no API server can run on
 * this machine. It speaks the wire protocol faithfully for what the orchestrator uses: create
 * (201, 409 AlreadyExists, 422 Invalid, 403 Forbidden), get (200, 404), list (PodList with a
 * resourceVersion), delete (200 with the pod marked for deletion, then removed), and watch
 * (`?watch=true`: a chunked stream of `{"type","object"}` lines from a resourceVersion), with
 * every error answered as a `Status` object the way the API server does. Failures (5xx) can be
 * injected.
 */
export interface KubeApiDouble {
  readonly url: string;
  kubeConfig(): KubeConfig;
  pods(namespace?: string): Pod[];
  /** What the scheduler and kubelet would do: set the phase (Running gets a pod IP and container ids). */
  setPhase(namespace: string, name: string, phase: 'Pending' | 'Running' | 'Failed'): void;
  /** Answer the next `count` requests (any verb) with this status (500: InternalError). */
  failNext(count: number, code?: number): void;
  /** Requests received, `METHOD path`. */
  readonly requests: string[];
  /** Namespaces the service account may not touch (403). */
  forbid(namespace: string): void;
  close(): Promise<void>;
}

type Pod = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const status = (code: number, reason: string, message: string, details: Record<string, unknown> = {}) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  details,
  code,
});

export async function startKubeApiDouble(): Promise<KubeApiDouble> {
  const store = new Map<string, Pod>(); // `${ns}/${name}`
  const forbidden = new Set<string>();
  const requests: string[] = [];
  let resourceVersion = 1000;
  let failures: { count: number; code: number } = { count: 0, code: 500 };
  const history: { rv: number; type: string; object: Pod }[] = [];
  const watchers = new Set<{ ns: string; res: ServerResponse }>();

  const record = (type: string, pod: Pod) => {
    resourceVersion++;
    pod.metadata.resourceVersion = String(resourceVersion);
    const entry = { rv: resourceVersion, type, object: structuredClone(pod) };
    history.push(entry);
    for (const w of watchers) {
      if (w.ns === pod.metadata.namespace) w.res.write(`${JSON.stringify({ type, object: entry.object })}\n`);
    }
  };

  const send = (res: ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let s = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (s += c));
      req.on('end', () => resolve(s));
    });

  const validate = (pod: Pod): string[] => {
    const causes: string[] = [];
    const name = pod?.metadata?.name;
    if (typeof name !== 'string' || !DNS1123.test(name) || name.length > 253) {
      causes.push(
        `metadata.name: Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      );
    }
    const containers = pod?.spec?.containers;
    if (!Array.isArray(containers) || containers.length === 0) causes.push('spec.containers: Required value');
    else
      for (const [i, c] of containers.entries()) {
        if (!c.image) causes.push(`spec.containers[${i}].image: Required value`);
        if (!c.name || !DNS1123.test(c.name))
          causes.push(`spec.containers[${i}].name: Invalid value: ${JSON.stringify(c.name)}`);
      }
    return causes;
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (failures.count > 0) {
      failures.count--;
      send(
        res,
        failures.code,
        status(
          failures.code,
          failures.code === 503 ? 'ServiceUnavailable' : 'InternalError',
          'Internal error occurred: etcdserver: request timed out',
          {
            causes: [{ message: 'etcdserver: request timed out' }],
          },
        ),
      );
      return;
    }
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) {
      send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource', {}));
      return;
    }
    const ns = decodeURIComponent(m[1]!);
    const name = m[2] ? decodeURIComponent(m[2]) : undefined;
    const verb =
      req.method === 'POST'
        ? 'create'
        : req.method === 'DELETE'
          ? 'delete'
          : name
            ? 'get'
            : url.searchParams.get('watch')
              ? 'watch'
              : 'list';
    if (forbidden.has(ns)) {
      send(
        res,
        403,
        status(
          403,
          'Forbidden',
          `pods${name ? ` "${name}"` : ''} is forbidden: User "system:serviceaccount:galileo:pod-creator" cannot ${verb} resource "pods" in API group "" in the namespace "${ns}"`,
          { ...(name ? { name } : {}), kind: 'pods' },
        ),
      );
      return;
    }
    if (req.method === 'POST' && !name) {
      let pod: Pod;
      try {
        pod = JSON.parse(await readBody(req));
      } catch {
        send(
          res,
          400,
          status(400, 'BadRequest', 'the object provided is unrecognized (must be of type Pod)'),
        );
        return;
      }
      const causes = validate(pod);
      if (causes.length > 0) {
        send(
          res,
          422,
          status(
            422,
            'Invalid',
            `Pod ${JSON.stringify(pod?.metadata?.name ?? '')} is invalid: ${causes.join(', ')}`,
            {
              name: pod?.metadata?.name,
              kind: 'Pod',
              causes: causes.map((c) => ({
                reason: 'FieldValueInvalid',
                message: c.split(': ').slice(1).join(': '),
                field: c.split(':')[0],
              })),
            },
          ),
        );
        return;
      }
      const key = `${ns}/${pod.metadata.name}`;
      if (store.has(key)) {
        send(
          res,
          409,
          status(409, 'AlreadyExists', `pods "${pod.metadata.name}" already exists`, {
            name: pod.metadata.name,
            kind: 'pods',
          }),
        );
        return;
      }
      const created: Pod = {
        ...pod,
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          ...pod.metadata,
          namespace: ns,
          uid: randomUUID(),
          creationTimestamp: new Date().toISOString(),
        },
        status: {
          phase: 'Pending',
          qosClass: pod.spec.containers.some((c: Pod) => c.resources?.requests) ? 'Burstable' : 'BestEffort',
        },
      };
      store.set(key, created);
      record('ADDED', created);
      send(res, 201, created);
      return;
    }
    if (req.method === 'GET' && name) {
      const pod = store.get(`${ns}/${name}`);
      if (!pod) send(res, 404, status(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' }));
      else send(res, 200, pod);
      return;
    }
    if (req.method === 'GET' && !name) {
      const selector = url.searchParams.get('labelSelector');
      const matches = (p: Pod) =>
        !selector ||
        selector.split(',').every((s) => {
          const [k, v] = s.split('=');
          return v === undefined ? p.metadata.labels?.[k!] !== undefined : p.metadata.labels?.[k!] === v;
        });
      if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        res.flushHeaders();
        const from = Number(url.searchParams.get('resourceVersion') ?? resourceVersion);
        for (const e of history)
          if (e.rv > from && e.object.metadata.namespace === ns && matches(e.object))
            res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
        const w = { ns, res };
        watchers.add(w);
        req.on('close', () => watchers.delete(w));
        return;
      }
      const items = [...store.values()].filter((p) => p.metadata.namespace === ns && matches(p));
      send(res, 200, {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(resourceVersion) },
        items,
      });
      return;
    }
    if (req.method === 'DELETE' && name) {
      const key = `${ns}/${name}`;
      const pod = store.get(key);
      if (!pod) {
        send(res, 404, status(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' }));
        return;
      }
      pod.metadata.deletionTimestamp = new Date().toISOString();
      pod.metadata.deletionGracePeriodSeconds = 30;
      record('MODIFIED', pod);
      send(res, 200, pod);
      setTimeout(() => {
        if (store.get(key) !== pod) return;
        store.delete(key);
        record('DELETED', pod);
      }, 50);
      return;
    }
    send(
      res,
      405,
      status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'double', server: url, skipTLSVerify: true }],
        users: [{ name: 'pod-creator', token: 'test-token' }],
        contexts: [{ name: 'double', cluster: 'double', user: 'pod-creator', namespace: 'galileo' }],
        currentContext: 'double',
      });
      return kc;
    },
    pods: (namespace) =>
      [...store.values()].filter((p) => namespace === undefined || p.metadata.namespace === namespace),
    setPhase(namespace, name, phase) {
      const pod = store.get(`${namespace}/${name}`);
      if (!pod) throw new Error(`no pod ${namespace}/${name}`);
      pod.spec.nodeName ??= 'worker-1';
      pod.status = {
        ...pod.status,
        phase,
        hostIP: '10.0.1.1',
        ...(phase === 'Running'
          ? {
              podIP: '10.42.0.17',
              startTime: new Date().toISOString(),
              containerStatuses: pod.spec.containers.map((c: Pod) => ({
                name: c.name,
                containerID: `containerd://${randomUUID().replace(/-/g, '')}`,
                ready: true,
                image: c.image,
              })),
            }
          : {}),
      };
      record('MODIFIED', pod);
    },
    failNext(count, code = 500) {
      failures = { count, code };
    },
    forbid: (namespace) => void forbidden.add(namespace),
    close: () =>
      new Promise<void>((resolve) => {
        for (const w of watchers) w.res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
