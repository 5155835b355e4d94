import { createRoutingTable, formatRoutingTable } from '@galileo/routing';
import type { CliContext } from '../cli-context.js';
import { CliError, usageError } from '../cli-error.js';

export async function routingTable(ctx: CliContext) {
  return createRoutingTable(await ctx.redis(), { prefix: ctx.prefix });
}

export async function listRoutes(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const records = await (await routingTable(ctx)).listRecords();
  ctx.io.out(options.json ? `${JSON.stringify(records, null, 2)}\n` : formatRoutingTable(records));
}

/** `rtbl set <service> <h1,h2> [w1,w2]`, as the symmetry shell's `set` (protocols §4.1); weights default to 1. */
export async function setRoute(
  ctx: CliContext,
  service: string,
  hosts: string,
  weights?: string,
): Promise<void> {
  const hostList = splitList(hosts);
  if (hostList.length === 0)
    throw usageError('give at least one host, e.g. rtbl set svc host1:8080,host2:8080');
  let weightList: number[] | undefined;
  if (weights !== undefined) {
    weightList = splitList(weights).map((w) => Number(w));
    const bad = weightList.findIndex((w) => !Number.isFinite(w));
    if (bad >= 0)
      throw usageError(
        `weight ${JSON.stringify(splitList(weights)[bad])} is not a number: give weights like 1,2`,
      );
  }
  const result = await (await routingTable(ctx)).setRecord({ service, hosts: hostList, weights: weightList });
  if (!result.ok) throw usageError(`${result.error}: give one weight per host`);
  ctx.io.out(formatRoutingTable([result.value]));
}

export async function removeRoute(ctx: CliContext, services: readonly string[]): Promise<void> {
  const table = await routingTable(ctx);
  for (const service of services) {
    if (!(await table.removeRecord(service))) {
      throw new CliError(`No routing record found for service '${service}': galileo rtbl ls lists them`);
    }
    ctx.io.out(`removed ${service}\n`);
  }
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
