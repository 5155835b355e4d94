import type { ExperimentRef } from '@galileo/events';
import {
  formatInstructionErrors,
  parseExperimentConfiguration,
  parseInstructions,
  type ExperimentConfiguration,
} from '@galileo/instructions';

/**
 * What the daemon read from one queue message (protocols §2.1, §2.2): always an experiment (with
 * galileo's defaults where the message had nothing, or could not be read), and either what to run
 * or the problem that makes it fail.
 */
export interface QueueMessage {
  readonly experiment: ExperimentRef;
  readonly form: 'instructions' | 'configuration' | 'unreadable';
  /** The instruction text; empty for the configuration form until it is translated (it needs the live workers). */
  readonly instructions: string;
  readonly configuration: ExperimentConfiguration | null;
  /** The `configuration` as received, kept in the queued event. */
  readonly rawConfiguration?: unknown;
  /** Why the experiment cannot run, or null. */
  readonly problem: string | null;
}

export interface ReadMessageContext {
  /** Epoch seconds. */
  now: number;
  /** galileo's generated id (`YYYYMMDDHHMM-xxxx`). */
  newId: () => string;
  /** galileo's default creator, `galileo-<pid>`. */
  defaultCreator: string;
  /** Messages longer than this (UTF-8 bytes) are refused unread. */
  maxBytes: number;
  /** The id and receive time the daemon stamped on the message earlier (a recovered message). */
  stamped?: { id: string; received: number } | null;
}

/** galileo-db's EXP_ID is VARCHAR(100). */
const MAX_ID_LENGTH = 100;

const describe = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
};

/** Reads one message of `galileo:experiments:instructions`. Pure: never throws on bad input. */
export function readQueueMessage(raw: string, ctx: ReadMessageContext): QueueMessage {
  const fallback = (): ExperimentRef => {
    const id = ctx.stamped?.id ?? ctx.newId();
    return { id, name: id, creator: ctx.defaultCreator, created: ctx.stamped?.received ?? ctx.now };
  };
  const unreadable = (problem: string): QueueMessage => ({
    experiment: fallback(),
    form: 'unreadable',
    instructions: '',
    configuration: null,
    problem,
  });

  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes > ctx.maxBytes) {
    return unreadable(
      `the message is ${bytes} bytes; the limit is ${ctx.maxBytes} bytes (galileo_experimentd_max_message_size)`,
    );
  }
  if (raw.trim().length === 0) return unreadable('the message is empty: expected a JSON object');
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (e) {
    return unreadable(
      `the message is not valid JSON (${(e as Error).message}): expected {"instructions": "…"} or {"experiment": {…}, "configuration": {…}}`,
    );
  }
  // pymq's form of QueuedExperiment(experiment, configuration) (protocols §2.1)
  if (isObject(body) && Array.isArray(body.__obj) && typeof body.__type === 'string') {
    body = { experiment: body.__obj[0], configuration: body.__obj[1] };
  }
  if (!isObject(body)) {
    return unreadable(
      `the message is JSON ${describe(body)}, not an object: expected {"instructions": "…"} or {"experiment": {…}, "configuration": {…}}`,
    );
  }

  const isConfigurationForm = 'configuration' in body || 'experiment' in body;
  const fields = isConfigurationForm ? body.experiment : body;
  const ref = readExperimentRef(fields, body, ctx, fallback);
  if ('problem' in ref) {
    return {
      experiment: ref.experiment,
      form: isConfigurationForm ? 'configuration' : 'instructions',
      instructions: typeof body.instructions === 'string' ? body.instructions : '',
      configuration: null,
      problem: ref.problem,
    };
  }
  const experiment = ref.experiment;

  if (isConfigurationForm) {
    const configuration = parseExperimentConfiguration(body.configuration);
    if (!configuration.ok) {
      return {
        experiment,
        form: 'configuration',
        instructions: '',
        configuration: null,
        rawConfiguration: body.configuration,
        problem: configuration.error,
      };
    }
    return {
      experiment,
      form: 'configuration',
      instructions: '',
      configuration: configuration.value,
      rawConfiguration: body.configuration,
      problem: null,
    };
  }

  if (!('instructions' in body)) {
    return {
      experiment,
      form: 'instructions',
      instructions: '',
      configuration: null,
      problem:
        'the message has no "instructions": expected {"instructions": "…"} or {"experiment": {…}, "configuration": {…}}',
    };
  }
  if (typeof body.instructions !== 'string') {
    return {
      experiment,
      form: 'instructions',
      instructions: '',
      configuration: null,
      problem: `"instructions" is ${describe(body.instructions)}: expected a string of instruction lines separated by \\n`,
    };
  }
  return {
    experiment,
    form: 'instructions',
    instructions: body.instructions,
    configuration: null,
    problem: instructionsProblem(body.instructions),
  };
}

/** Why an instruction text cannot run (it must parse and hold at least one instruction), or null. */
export function instructionsProblem(instructions: string): string | null {
  const parsed = parseInstructions(instructions);
  if (!parsed.ok) return `invalid instructions:\n${formatInstructionErrors(parsed.error)}`;
  if (parsed.value.length === 0) return 'the experiment has no instructions (only blank or comment lines)';
  return null;
}

function readExperimentRef(
  fields: unknown,
  body: Record<string, unknown>,
  ctx: ReadMessageContext,
  fallback: () => ExperimentRef,
): { experiment: ExperimentRef } | { experiment: ExperimentRef; problem: string } {
  if (fields !== undefined && fields !== null && !isObject(fields)) {
    return {
      experiment: fallback(),
      problem: `"experiment" is ${describe(fields)}: expected an object with id, name, creator`,
    };
  }
  const f = (fields ?? {}) as Record<string, unknown>;
  // galileo's code reads `id`, its README says `exp_id`: both are accepted.
  const rawId = f.id ?? f.exp_id ?? (fields === body ? undefined : (body.id ?? body.exp_id));
  const problems: string[] = [];
  let id = ctx.stamped?.id;
  if (id === undefined && rawId !== undefined && rawId !== null && rawId !== '') {
    if (typeof rawId !== 'string' && typeof rawId !== 'number')
      problems.push(`"id" is ${describe(rawId)}: expected a string`);
    else if (String(rawId).length > MAX_ID_LENGTH)
      problems.push(`"id" is ${String(rawId).length} characters: at most ${MAX_ID_LENGTH}`);
    else if (/\s/.test(String(rawId))) problems.push(`"id" ${describe(rawId)} contains white space`);
    else id = String(rawId);
  }
  const text = (key: 'name' | 'creator'): string | undefined => {
    const v = f[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') {
      problems.push(`"${key}" is ${describe(v)}: expected a string`);
      return undefined;
    }
    if (v.length > 100) {
      problems.push(`"${key}" is ${v.length} characters: at most 100`);
      return undefined;
    }
    return v;
  };
  const name = text('name');
  const creator = text('creator');
  let created = ctx.stamped?.received ?? ctx.now;
  if (typeof f.created === 'number' && Number.isFinite(f.created)) created = f.created;
  const finalId = id ?? ctx.stamped?.id ?? ctx.newId();
  const experiment = { id: finalId, name: name ?? finalId, creator: creator ?? ctx.defaultCreator, created };
  if (problems.length > 0)
    return { experiment, problem: `invalid experiment fields: ${problems.join('; ')}` };
  return { experiment };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** galileo-db's `generate_experiment_id`: local time `YYYYMMDDHHMM` + `-` + 4 hex characters. */
export function generateExperimentId(nowMs: number, random: () => number = Math.random): string {
  const d = new Date(nowMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}${pad(d.getMinutes())}`;
  const hex = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `${stamp}-${hex}`;
}
