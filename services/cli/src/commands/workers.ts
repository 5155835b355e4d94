import {
  createWorkerClient,
  listLiveWorkers,
  readWorkerLabels,
  workerKeys,
  type ClientGroupInfo,
} from '@galileo/workers';
import type { CliContext } from '../cli-context.js';
import { formatTable } from '../format/table.js';

export interface WorkerRow {
  name: string;
  labels: Record<string, string>;
  /** Answered a ping within the timeout. */
  alive: boolean;
  /** Keeps a heartbeat (ours); galileo's Python workers keep none. */
  heartbeat: boolean;
  groups: ClientGroupInfo[];
}

/** Every registered worker with its labels, whether it answers, and its client groups. */
export async function describeWorkers(ctx: CliContext, timeoutMs = 2_000): Promise<WorkerRow[]> {
  const redis = await ctx.redis();
  const bus = await ctx.bus();
  const client = createWorkerClient(bus);
  const keys = workerKeys(ctx.prefix);
  const names = await listLiveWorkers(redis, { prefix: ctx.prefix });
  return Promise.all(
    names.map(async (name) => {
      const [labels, heartbeat, info] = await Promise.all([
        readWorkerLabels(redis, name, { prefix: ctx.prefix }),
        redis.exists(keys.heartbeat(name)),
        client.info(name, undefined, { timeoutMs }).catch(() => null),
      ]);
      return { name, labels, alive: info !== null, heartbeat: heartbeat === 1, groups: info?.groups ?? [] };
    }),
  );
}

export async function listWorkers(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const rows = await describeWorkers(ctx);
  if (options.json) {
    ctx.io.out(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    ctx.io.out('no available workers: start one with npx nx run worker:serve\n');
    return;
  }
  ctx.io.out(
    formatTable(
      ['worker', 'alive', 'labels', 'client groups'],
      rows.map((w) => [
        w.name,
        w.alive ? 'yes' : w.heartbeat ? 'no answer' : 'no answer (no heartbeat)',
        Object.entries(w.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
        w.groups.length === 0
          ? '-'
          : w.groups
              .map((g) => `${g.groupId} (${g.clientIds.length} clients, ${g.state}, ${g.requests} req)`)
              .join('; '),
      ]),
    ),
  );
}
