import { arrivalProcesses, findArrivalProcess } from '@galileo/workload';
import {
  INSTRUCTION_USAGE,
  type ArrivalOption,
  type Instruction,
  type InstructionError,
  type InstructionKind,
} from './instruction.js';

export type ParseResult = { ok: true; value: Instruction[] } | { ok: false; error: InstructionError[] };

interface Token {
  readonly text: string;
  /** 1-based column. */
  readonly column: number;
}

const COMMANDS = Object.keys(INSTRUCTION_USAGE) as Exclude<InstructionKind, 'exit'>[];
/** galileo's older command names (protocols §2.2). */
const ALIASES: Readonly<Record<string, InstructionKind>> = { hosts: 'workers', clients: 'client_groups' };

/** A rate form is needed: `rps` gives a rate, the process turns it into interarrival times. */
const RATE_PROCESSES = [...arrivalProcesses.values()].filter((p) => p.withRate).map((p) => p.name);

class LineError extends Error {
  constructor(
    readonly column: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(expected);
  }
}

const quote = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
const END = 'the end of the line';

/**
 * Parses instruction text (lines separated by `\n`; `#` comment lines and blank lines are skipped)
 * into instructions. Pure: no I/O. Every bad line is reported, each with its line and column,
 * what was expected and what was found.
 */
export function parseInstructions(text: string): ParseResult {
  const instructions: Instruction[] = [];
  const errors: InstructionError[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const indent = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed.length === 0 || trimmed.startsWith('#')) return;
    try {
      instructions.push(parseLine(trimmed, line, indent));
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      const usage = usageOf(trimmed);
      errors.push({
        line,
        column: e.column,
        expected: e.expected,
        found: e.found,
        message: `line ${line}, column ${e.column}: expected ${e.expected}, found ${e.found}${usage ? ` (${usage})` : ''}`,
      });
    }
  });
  if (errors.length > 0) return { ok: false, error: errors };
  return { ok: true, value: instructions };
}

/** One line of every error, for a failure reason or a terminal. */
export function formatInstructionErrors(errors: readonly InstructionError[]): string {
  return errors.map((e) => e.message).join('\n');
}

function usageOf(line: string): string | null {
  const word = line.split(/\s+/)[0] ?? '';
  const kind = ALIASES[word] ?? word;
  return kind in INSTRUCTION_USAGE ? INSTRUCTION_USAGE[kind as keyof typeof INSTRUCTION_USAGE] : null;
}

function tokenize(line: string, indent: number): Token[] {
  const tokens: Token[] = [];
  const re = /\S+/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    tokens.push({ text: m[0], column: indent + m.index + 1 });
  }
  return tokens;
}

function parseLine(line: string, lineNo: number, indent: number): Instruction {
  const tokens = tokenize(line, indent);
  const head = tokens[0]!;
  const kind = ALIASES[head.text] ?? head.text;
  const at = { line: lineNo, column: head.column, text: line };
  const args = new Arguments(tokens.slice(1), line, indent, head.column + head.text.length);
  switch (kind) {
    case 'spawn': {
      const workerPattern = args.pattern('a worker name pattern (a regular expression)');
      const service = args.word('a service name');
      const num = args.optional(() => args.integer('a number of clients (an integer >= 1)', 1)) ?? 1;
      const client = args.peekJson() ? null : args.optionalWord();
      const parameters = args.rest() === null ? null : args.json('client parameters as a JSON object');
      args.end();
      return { ...at, kind, workerPattern, service, num, client, parameters };
    }
    case 'rps': {
      const workerPattern = args.pattern('a worker name pattern (a regular expression)');
      const service = args.word('a service name');
      const rate = args.number('a number of requests per second (>= 0)', 0);
      const client = args.peekOption() ? null : args.optionalWord();
      let arrival = null as ArrivalOption | null;
      for (let option = args.option(); option; option = args.option()) {
        if (option.key === 'arrival') {
          const process = findArrivalProcess(option.value);
          if (!process || !process.withRate) {
            throw new LineError(
              option.valueColumn,
              `an arrival process with a rate form (${RATE_PROCESSES.join(', ')} or their Python names)`,
              quote(option.value),
            );
          }
          arrival = { process: process.name, seed: arrival?.seed ?? null };
        } else if (option.key === 'seed') {
          arrival = { process: arrival?.process ?? 'constant', seed: option.value };
        } else {
          throw new LineError(option.column, 'arrival=<process> or seed=<seed>', quote(option.text));
        }
      }
      args.end();
      return { ...at, kind, workerPattern, service, rate, client, arrival };
    }
    case 'close': {
      const workerPattern = args.pattern('a worker name pattern (a regular expression)');
      const service = args.word('a service name');
      const client = args.optionalWord();
      args.end();
      return { ...at, kind, workerPattern, service, client };
    }
    case 'sleep': {
      const seconds = args.number('a number of seconds (>= 0)', 0);
      args.end();
      return { ...at, kind, seconds };
    }
    case 'workers': {
      const pattern = args.optional(() => args.pattern('a worker name pattern'));
      args.end();
      return { ...at, kind, pattern };
    }
    case 'client_groups': {
      const worker = args.optionalWord();
      args.end();
      return { ...at, kind, worker };
    }
    case 'info':
    case 'ping':
    case 'exit':
      args.end();
      return { ...at, kind };
    case 'echo':
      return { ...at, kind, message: args.rest() ?? '' };
    case 'logging': {
      const word = args.word('on or off');
      if (word !== 'on' && word !== 'off') throw new LineError(args.lastColumn, 'on or off', quote(word));
      args.end();
      return { ...at, kind, on: word === 'on' };
    }
    default:
      throw new LineError(head.column, `a command (${COMMANDS.join(', ')})`, quote(head.text));
  }
}

/** Reads a line's arguments left to right; a missing or malformed one throws a LineError. */
class Arguments {
  private index = 0;
  lastColumn: number;

  constructor(
    private readonly tokens: Token[],
    private readonly line: string,
    private readonly indent: number,
    private readonly endColumn: number,
  ) {
    this.lastColumn = endColumn;
  }

  private next(expected: string): Token {
    const token = this.tokens[this.index];
    if (!token) throw new LineError(this.endOfLine(), expected, END);
    this.index++;
    this.lastColumn = token.column;
    return token;
  }

  private endOfLine(): number {
    return this.indent + this.line.length + 1;
  }

  word(expected: string): string {
    return this.next(expected).text;
  }

  optionalWord(): string | null {
    return this.tokens[this.index] ? this.next('').text : null;
  }

  pattern(expected: string): string {
    const token = this.next(expected);
    try {
      new RegExp(`^(?:${token.text})$`);
    } catch (e) {
      throw new LineError(token.column, `${expected}: ${(e as Error).message}`, quote(token.text));
    }
    return token.text;
  }

  number(expected: string, min: number): number {
    const token = this.next(expected);
    const value = Number(token.text);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(token.text) || !Number.isFinite(value) || value < min) {
      throw new LineError(token.column, expected, quote(token.text));
    }
    return value;
  }

  integer(expected: string, min: number): number {
    const token = this.next(expected);
    if (!/^[+-]?\d+$/.test(token.text) || Number(token.text) < min) {
      throw new LineError(token.column, expected, quote(token.text));
    }
    return Number(token.text);
  }

  /** Runs `read` if an argument is left; a present but malformed one is still an error. */
  optional<T>(read: () => T): T | null {
    if (!this.tokens[this.index] || this.peekJson() || this.peekOption()) return null;
    return read();
  }

  peekJson(): boolean {
    const t = this.tokens[this.index]?.text;
    return t !== undefined && (t.startsWith('{') || t.startsWith("'{"));
  }

  peekOption(): boolean {
    return this.tokens[this.index]?.text.includes('=') ?? false;
  }

  option(): { key: string; value: string; text: string; column: number; valueColumn: number } | null {
    const token = this.tokens[this.index];
    if (!token) return null;
    const eq = token.text.indexOf('=');
    if (eq <= 0) throw new LineError(token.column, 'arrival=<process> or seed=<seed>', quote(token.text));
    this.index++;
    return {
      key: token.text.slice(0, eq),
      value: token.text.slice(eq + 1),
      text: token.text,
      column: token.column,
      valueColumn: token.column + eq + 1,
    };
  }

  /** Everything after the arguments read so far, as written (spaces kept), or null. */
  rest(): string | null {
    const token = this.tokens[this.index];
    if (!token) return null;
    return this.line.slice(token.column - 1 - this.indent);
  }

  /** The rest of the line as a JSON object; galileo quoted it in single quotes. */
  json(expected: string): Record<string, unknown> {
    const token = this.tokens[this.index]!;
    let text = this.rest()!;
    if (text.startsWith("'") && text.endsWith("'") && text.length >= 2) text = text.slice(1, -1);
    this.index = this.tokens.length;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new LineError(token.column, `${expected} (${(e as Error).message})`, quote(text));
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new LineError(token.column, expected, quote(text));
    }
    return value as Record<string, unknown>;
  }

  end(): void {
    const token = this.tokens[this.index];
    if (token) throw new LineError(token.column, END, quote(token.text));
  }
}
