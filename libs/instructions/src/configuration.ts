import { findArrivalProcess } from '@galileo/workload';
import { z } from 'zod';

/**
 * galileo's `WorkloadConfiguration` (protocols §2.1): `service, ticks, clients_per_host,
 * arrival_pattern, client, client_parameters`. `ticks[t]` is the request rate of the whole service
 * during tick t.
 */
export interface WorkloadConfiguration {
  readonly service: string;
  readonly ticks: readonly number[];
  readonly clients_per_host: number;
  readonly arrival_pattern: string | null;
  readonly client: string | null;
  readonly client_parameters: Readonly<Record<string, unknown>>;
}

/** galileo's `ExperimentConfiguration(duration, interval, workloads)`; seconds. */
export interface ExperimentConfiguration {
  readonly duration: number;
  readonly interval: number;
  readonly workloads: readonly WorkloadConfiguration[];
}

export type ConfigurationResult<T> = { ok: true; value: T } | { ok: false; error: string };

const WORKLOAD_FIELDS = [
  'service',
  'ticks',
  'clients_per_host',
  'arrival_pattern',
  'client',
  'client_parameters',
] as const;

const workloadSchema = z.object({
  service: z.string().min(1, 'a service name'),
  ticks: z.array(z.number().min(0, 'a rate >= 0')),
  clients_per_host: z.number().int().min(1).default(1),
  arrival_pattern: z.string().nullable().default(null),
  client: z.string().min(1).nullable().default(null),
  client_parameters: z.record(z.string(), z.unknown()).nullable().default(null),
});

const configurationSchema = z.object({
  duration: z.number().positive(),
  interval: z.number().positive(),
  workloads: z.array(workloadSchema).min(1, 'at least one workload'),
});

/** pymq sends NamedTuples as positional arrays; the REST form uses objects. Both are read. */
function positional(value: unknown, fields: readonly string[]): unknown {
  if (!Array.isArray(value)) return value;
  return Object.fromEntries(
    fields.map((f, i) => [f, value[i] ?? undefined]).filter(([, v]) => v !== undefined),
  );
}

/**
 * Validates a configuration as galileo sends it — `{duration, interval, workloads: [{…}]}` or the
 * positional `[duration, interval, [[service, ticks, clients_per_host, …]]]`.
 */
export function parseExperimentConfiguration(raw: unknown): ConfigurationResult<ExperimentConfiguration> {
  const top = positional(raw, ['duration', 'interval', 'workloads']);
  const withWorkloads =
    top && typeof top === 'object' && Array.isArray((top as { workloads?: unknown }).workloads)
      ? {
          ...(top as object),
          workloads: (top as { workloads: unknown[] }).workloads.map((w) => positional(w, WORKLOAD_FIELDS)),
        }
      : top;
  const parsed = configurationSchema.safeParse(withWorkloads);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${i.path.length ? i.path.join('.') : 'configuration'}: ${i.message}`,
    );
    return { ok: false, error: `invalid configuration: ${issues.join('; ')}` };
  }
  const value = parsed.data;
  return {
    ok: true,
    value: {
      duration: value.duration,
      interval: value.interval,
      workloads: value.workloads.map((w) => ({ ...w, client_parameters: w.client_parameters ?? {} })),
    },
  };
}

/** A worker name as a regular expression that matches only itself. */
export function exactWorkerPattern(worker: string): string {
  return worker.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** The share of `total` that worker i of n gets: floor, plus one for the first `total mod n`. */
function share(total: number, i: number, n: number): number {
  if (!Number.isInteger(total)) return total / n;
  return Math.floor(total / n) + (i < total % n ? 1 : 0);
}

/** `arrival=<name>` for a pattern other than constant (galileo stored it and ignored it). */
function arrivalOption(pattern: string | null): ConfigurationResult<string> {
  if (pattern === null || pattern === '' || pattern.toLowerCase() === 'constant')
    return { ok: true, value: '' };
  const process = findArrivalProcess(pattern) ?? findArrivalProcess(pattern.toLowerCase());
  if (!process?.withRate) {
    return {
      ok: false,
      error: `arrival_pattern ${JSON.stringify(pattern)}: expected constant, exponential (expovariate, poisson) or uniform`,
    };
  }
  return { ok: true, value: ` arrival=${process.name}` };
}

/**
 * Translates a configuration into instructions, as galileo's `create_instructions` did (protocols
 * §2.2): spawn every workload on every worker; for each of the ceil(duration / interval) ticks
 * distribute the tick's rate over the workers and sleep one interval; then rate 0 and close.
 */
export function configurationToInstructions(
  configuration: ExperimentConfiguration,
  workers: readonly string[],
): ConfigurationResult<string> {
  if (!(configuration.interval > 0)) return { ok: false, error: 'interval must be > 0' };
  if (workers.length === 0) return { ok: false, error: 'no workers to execute the experiment on' };
  const ticks = Math.ceil(configuration.duration / configuration.interval);
  const lines: string[] = [];
  const suffixes: string[] = [];
  for (const [index, w] of configuration.workloads.entries()) {
    if (w.ticks.length < ticks) {
      return {
        ok: false,
        error: `workload ${index} (${w.service}) has ${w.ticks.length} ticks; duration ${configuration.duration} s / interval ${configuration.interval} s needs ${ticks}`,
      };
    }
    const arrival = arrivalOption(w.arrival_pattern);
    if (!arrival.ok) return { ok: false, error: `workload ${index} (${w.service}): ${arrival.error}` };
    suffixes.push(`${w.client ? ` ${w.client}` : ''}${arrival.value}`);
  }
  const each = (emit: (w: WorkloadConfiguration, worker: string, i: number, wi: number) => void) =>
    configuration.workloads.forEach((w, wi) => workers.forEach((worker, i) => emit(w, worker, i, wi)));

  each((w, worker) => {
    const params =
      Object.keys(w.client_parameters).length > 0 ? ` '${JSON.stringify(w.client_parameters)}'` : '';
    const client = w.client ? ` ${w.client}` : '';
    lines.push(`spawn ${exactWorkerPattern(worker)} ${w.service} ${w.clients_per_host}${client}${params}`);
  });
  for (let t = 0; t < ticks; t++) {
    each((w, worker, i, wi) =>
      lines.push(
        `rps ${exactWorkerPattern(worker)} ${w.service} ${share(w.ticks[t]!, i, workers.length)}${suffixes[wi]}`,
      ),
    );
    lines.push(`sleep ${configuration.interval}`);
  }
  each((w, worker) =>
    lines.push(`rps ${exactWorkerPattern(worker)} ${w.service} 0${w.client ? ` ${w.client}` : ''}`),
  );
  each((w, worker) =>
    lines.push(`close ${exactWorkerPattern(worker)} ${w.service}${w.client ? ` ${w.client}` : ''}`),
  );
  return { ok: true, value: lines.join('\n') };
}
