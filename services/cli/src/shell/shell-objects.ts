import { galileoSubjects } from '@galileo/events';
import { generateExperimentId } from '@galileo/experiment-queue';
import type { ExperimentOperations } from '@galileo/experiments';
import { createRoutingTable, formatRoutingTable, type RoutingRecord } from '@galileo/routing';
import {
  createWorkerClient,
  listLiveWorkers,
  readWorkerLabels,
  type ClientGroupInfo,
  type GroupRef,
} from '@galileo/workers';
import type { CliContext } from '../cli-context.js';
import { formatTable } from '../format/table.js';
import { experimentOperations, experimentsTable } from '../commands/experiments.js';
import { experimentBodyFrom } from '../run/experiment-input.js';

/**
 * galileo's shell objects (protocols §9) over our services: `g`, `show`, `exp`, `rtbl`, `telemd`.
 * Methods return promises; the REPL awaits them before printing. Python names are kept as
 * aliases (`g.workers_info`, `telemd.start_telemd`, `rtbl.update_weights`).
 */

export interface ShellObjects {
  g: ReturnType<typeof galileoObject>;
  show: ReturnType<typeof showObject>;
  exp: ReturnType<typeof experimentObject>;
  rtbl: ReturnType<typeof routingTableObject>;
  telemd: ReturnType<typeof telemdObject>;
  usage: Printed;
  help: (topic?: unknown) => Printed;
  sleep: (seconds: number) => Promise<void>;
}

interface Printed {
  toString(): string;
}

/** A value the REPL prints as text (galileo printed tables, not objects). */
class Text implements Printed {
  constructor(readonly text: string) {}
  toString() {
    return this.text;
  }
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.text.replace(/\n$/, '');
  }
}

/** A group of clients on one or more workers (galileo's ClientGroup). */
export class ClientGroup {
  constructor(
    private readonly ctx: CliContext,
    readonly service: string,
    readonly parts: GroupRef[],
    readonly clientCount: number,
    private readonly experimentId: () => string | null,
  ) {}

  private async client() {
    return createWorkerClient(await this.ctx.bus());
  }

  private options() {
    const id = this.experimentId();
    return id === null ? {} : { experimentId: id };
  }

  /** Every client sends `n` requests per second (galileo's rps: per client); 0 pauses. */
  async rps(n: number) {
    const c = await this.client();
    if (n === 0) return Promise.all(this.parts.map((p) => c.pause(p, this.options())));
    return Promise.all(this.parts.map((p) => c.setWorkload(p, { rate: n }, this.options())));
  }

  /** `n` requests per client, with interarrival `ia` seconds or `[distribution, ...params]`. */
  async request(n: number | null = null, ia: number | [string, ...number[]] = 0.1) {
    const c = await this.client();
    const workload =
      typeof ia === 'number'
        ? { process: 'constant', params: [ia] }
        : { process: ia[0], params: ia.slice(1) };
    return Promise.all(this.parts.map((p) => c.setWorkload(p, { ...workload, n }, this.options())));
  }

  async pause() {
    return this.rps(0);
  }

  async info(): Promise<ClientGroupInfo[]> {
    const c = await this.client();
    return (await Promise.all(this.parts.map((p) => c.info(p.worker, p.groupId)))).flatMap((i) => i.groups);
  }

  async close(): Promise<string[]> {
    const c = await this.client();
    const closed = await Promise.all(this.parts.map((p) => c.close(p)));
    return closed.flatMap((g) => g.clientIds);
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.parts.length === 0
      ? 'empty client group'
      : `ClientGroup ${this.service}: ${this.clientCount} client(s) in ${this.parts.map((p) => p.groupId).join(', ')}`;
  }
}

function galileoObject(ctx: CliContext, experimentId: () => string | null) {
  const client = async () => createWorkerClient(await ctx.bus());
  const self = {
    help: () =>
      new Text(`g — the workers
  g.workers()                        names of the live workers
  g.workersInfo()                    [{name, labels}]
  g.ping()                           names of the workers that answer within 2 s
  g.spawn(service, num=1, client=null, parameters=null, workerLabels=null)
                                     start num clients, spread over the least loaded workers → ClientGroup
                                     (group.rps(5), group.request(100, 0.05), group.pause(), group.info(), group.close())
  g.startTracing() / g.stopTracing() tracing on/off on every worker
example: c = await g.spawn('svc', 3); await c.rps(5); await sleep(10); await c.close()
`),
    workers: async () => listLiveWorkers(await ctx.redis(), { prefix: ctx.prefix }),
    workersInfo: async () => {
      const redis = await ctx.redis();
      const names = await listLiveWorkers(redis, { prefix: ctx.prefix });
      return Promise.all(
        names.map(async (name) => ({
          name,
          labels: await readWorkerLabels(redis, name, { prefix: ctx.prefix }),
        })),
      );
    },
    ping: async () => {
      const replies = await (await client()).pingAll();
      return replies.map((r) => (r.ok ? r.result.name : `error: ${r.error}`)).sort();
    },
    startTracing: async () => (await (await client()).startTracing()).length,
    stopTracing: async () => (await (await client()).pauseTracing()).length,
    /** galileo §3.4: filter by labels, then give each client to the worker with the fewest. */
    spawn: async (
      service: string,
      num = 1,
      appClient: string | null = null,
      parameters: Record<string, unknown> | null = null,
      workerLabels: Record<string, string> | null = null,
    ): Promise<ClientGroup> => {
      const c = await client();
      const infos = await self.workersInfo();
      const eligible = infos.filter(
        (w) => !workerLabels || Object.entries(workerLabels).every(([k, v]) => w.labels[k] === v),
      );
      if (eligible.length === 0) throw new Error('No workers found that match labels.');
      const load = await Promise.all(
        eligible.map(async (w) =>
          (await c.info(w.name).catch(() => ({ groups: [] as ClientGroupInfo[] }))).groups.reduce(
            (n, g) => n + g.clientIds.length,
            0,
          ),
        ),
      );
      const share = new Map<string, number>();
      for (let i = 0; i < num; i++) {
        let best = 0;
        for (let k = 1; k < eligible.length; k++) if (load[k]! < load[best]!) best = k;
        load[best]!++;
        share.set(eligible[best]!.name, (share.get(eligible[best]!.name) ?? 0) + 1);
      }
      const id = experimentId();
      const parts = await Promise.all(
        [...share.entries()].map(([worker, clients]) =>
          c.spawn(
            worker,
            { service, clients, client: appClient, parameters },
            id === null ? {} : { experimentId: id },
          ),
        ),
      );
      return new ClientGroup(
        ctx,
        service,
        parts.map((p) => ({ worker: p.worker, groupId: p.groupId })),
        num,
        experimentId,
      );
    },
  };
  return {
    ...self,
    workers_info: self.workersInfo,
    start_tracing: self.startTracing,
    stop_tracing: self.stopTracing,
  };
}

function showObject(ctx: CliContext, g: ReturnType<typeof galileoObject>) {
  return {
    help: () =>
      new Text(`show — tables
  show.workers()   the live workers
  show.info()      every client group: worker, service, client app, clients, requests, failed, rate
  show.experiments()  the experiments (as galileo experiments ls)
`),
    workers: async () => {
      const names = await g.workers();
      return new Text(names.length === 0 ? 'no available workers\n' : `${names.join('\n')}\n`);
    },
    info: async () => {
      const bus = await ctx.bus();
      const c = createWorkerClient(bus);
      const names = await g.workers();
      const infos = await Promise.all(names.map((n) => c.info(n).catch(() => null)));
      const groups = infos.flatMap((i) => i?.groups ?? []);
      return new Text(
        formatTable(
          ['group id', 'worker', 'service', 'client', 'clients', 'state', 'requests', 'failed', 'rate'],
          groups.map((gr) => [
            gr.groupId,
            gr.worker,
            gr.service,
            gr.client ?? 'default',
            gr.clientIds.length,
            gr.state,
            gr.requests,
            gr.failures,
            gr.achievedRate,
          ]),
        ),
      );
    },
    experiments: async () => new Text(experimentsTable(await (await experimentOperations(ctx)).list())),
  };
}

function experimentObject(ctx: CliContext, state: { current: { id: string; start: number } | null }) {
  let ops: ExperimentOperations | null = null;
  const operations = async () => (ops ??= await experimentOperations(ctx));
  return {
    help: () =>
      new Text(`exp — experiments
  exp.start(name=null, creator=null)  record from now on as a new experiment (commands from g carry its id)
  exp.stop()                          end it (FINISHED) and attribute the traces of its window
  exp.event(name, value=null)         publish a galileo event (galileo/events) now
  exp.run(textOrObject)               queue instructions or a configuration, as galileo run
  exp.ls() / exp.show(id) / exp.cancel(id)
`),
    get id() {
      return state.current?.id ?? null;
    },
    start: async (name: string | null = null, creator: string | null = null) => {
      if (state.current) throw new Error(`experiment ${state.current.id} is running: exp.stop() first`);
      const db = await ctx.db();
      const id = generateExperimentId(Date.now());
      const start = Date.now() / 1000;
      await db.experiments.upsert({
        id,
        name: name ?? id,
        creator: creator ?? `galileo-shell-${process.pid}`,
        start,
        end: null,
        created: start,
        status: 'IN_PROGRESS',
      });
      state.current = { id, start };
      return new Text(`experiment started: ${id}\n`);
    },
    stop: async () => {
      const current = state.current;
      if (!current) return new Text('no experiment running\n');
      const db = await ctx.db();
      const end = Date.now() / 1000;
      await db.experiments.setEnded(current.id, end, 'FINISHED');
      await db.traces.touch(current.id, current.start, end);
      state.current = null;
      return new Text(`experiment ${current.id} finished: galileo report ${current.id}\n`);
    },
    event: async (name: string, value: unknown = null) => {
      const bus = await ctx.bus();
      const timestamp = Date.now() / 1000;
      await bus.publish(galileoSubjects.events(name), {
        type: 'GalileoEvent',
        data: { name, value, timestamp },
        correlationId: state.current?.id ?? null,
      });
      return new Text(
        `${timestamp.toFixed(3)}: ${name} = ${value === null ? 'None' : typeof value === 'string' ? value : JSON.stringify(value)}\n`,
      );
    },
    run: async (input: string | Record<string, unknown>) => {
      const body = typeof input === 'string' ? experimentBodyFrom(input) : input;
      const result = await (await operations()).submit(body);
      if (!result.ok) throw new Error(result.error.message);
      return result.value.experiment.id;
    },
    ls: async () => new Text(experimentsTable(await (await operations()).list())),
    show: async (id: string) => (await operations()).get(id),
    cancel: async (id: string) => {
      const r = await (await operations()).cancel(id);
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    },
  };
}

function routingTableObject(ctx: CliContext) {
  const table = async () => createRoutingTable(await ctx.redis(), { prefix: ctx.prefix });
  const unwrap = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };
  const self = {
    help: () =>
      new Text(`rtbl — the routing table (routing:* keys)
  rtbl.record(service)                  one record or null
  rtbl.records()                        every record
  rtbl.set(service, hosts, weights)     create or overwrite (weights default to 1)
  rtbl.updateWeights(service, weights)  replace the weights
  rtbl.append(service, host, weight=1)  add a host
  rtbl.remove(service) / rtbl.clear()
  rtbl.print()                          the table
example: await rtbl.set('svc', ['host1:8080', 'host2:8080'], [1, 2])
`),
    record: async (service: string) => (await table()).getRecord(service),
    records: async () => (await table()).listRecords(),
    set: async (service: string, hosts: string[], weights?: number[]): Promise<RoutingRecord> =>
      unwrap(await (await table()).setRecord({ service, hosts, weights })),
    updateWeights: async (service: string, weights: number[]) =>
      unwrap(await (await table()).updateWeights(service, weights)),
    append: async (service: string, host: string, weight = 1) =>
      unwrap(await (await table()).appendHost(service, host, weight)),
    remove: async (service: string) => (await table()).removeRecord(service),
    clear: async () => (await table()).clearRecords(),
    print: async () => new Text(formatRoutingTable(await (await table()).listRecords())),
  };
  return { ...self, update_weights: self.updateWeights };
}

function telemdObject(ctx: CliContext) {
  const nodes = async () => {
    const channels = (await (await ctx.redis()).pubsub('CHANNELS', 'telemcmd/*')) as string[];
    return channels.map((c) => c.slice('telemcmd/'.length)).sort();
  };
  const send = async (command: 'pause' | 'unpause', hosts?: string[]) => {
    const redis = await ctx.redis();
    const targets = hosts ?? (await nodes());
    await Promise.all(targets.map((h) => redis.publish(`telemcmd/${h}`, command)));
    return targets;
  };
  const self = {
    help: () =>
      new Text(`telemd — the telemetry agents
  telemd.listTelemdHosts()         nodes whose telemd listens on telemcmd/<node>
  telemd.startTelemd(hosts=all)    unpause
  telemd.stopTelemd(hosts=all)     pause
`),
    listTelemdHosts: nodes,
    startTelemd: (hosts?: string[]) => send('unpause', hosts),
    stopTelemd: (hosts?: string[]) => send('pause', hosts),
  };
  return {
    ...self,
    list_telemd_hosts: self.listTelemdHosts,
    start_telemd: self.startTelemd,
    stop_telemd: self.stopTelemd,
  };
}

export const USAGE = `galileo shell — objects:
  g        workers: g.workers(), g.ping(), g.spawn(service, num) → group; group.rps(n), group.close()
  show     tables: show.workers(), show.info(), show.experiments()
  exp      experiments: exp.start(name), exp.stop(), exp.event(name, value), exp.run(text), exp.ls()
  rtbl     routing table: rtbl.set(service, hosts, weights), rtbl.print(), rtbl.remove(service)
  telemd   telemetry agents: telemd.listTelemdHosts(), telemd.stopTelemd(), telemd.startTelemd()
  sleep(s) wait s seconds
Every object has .help(); help(obj) says the same. Calls return promises; the shell awaits them.
`;

export function createShellObjects(ctx: CliContext): ShellObjects {
  const state: { current: { id: string; start: number } | null } = { current: null };
  const experimentId = () => state.current?.id ?? null;
  const g = galileoObject(ctx, experimentId);
  const objects = {
    g,
    show: showObject(ctx, g),
    exp: experimentObject(ctx, state),
    rtbl: routingTableObject(ctx),
    telemd: telemdObject(ctx),
  };
  return {
    ...objects,
    usage: new Text(USAGE),
    help: (topic?: unknown) => {
      if (topic && typeof topic === 'object' && 'help' in topic && typeof topic.help === 'function') {
        return new Text(String((topic.help as () => unknown)()));
      }
      return new Text(USAGE);
    },
    sleep: (seconds: number) => new Promise<void>((r) => setTimeout(r, seconds * 1000)),
  };
}
