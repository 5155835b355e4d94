/**
 * The instruction language of galileo's legacy experiment daemon (protocols §2.2): one command
 * per line, arguments separated by white space. Every parsed instruction keeps where it came from
 * (line, column, text) so a failure at run time can say which line caused it.
 */
export interface SourcePosition {
  /** 1-based line in the instruction text. */
  readonly line: number;
  /** 1-based column of the command word. */
  readonly column: number;
  /** The line as written (trimmed). */
  readonly text: string;
}

/** `rps … arrival=<process> [seed=<seed>]`: an arrival process instead of galileo's constant one. */
export interface ArrivalOption {
  /** Canonical process name (`exponential`, `uniform`, `constant`). */
  readonly process: string;
  readonly seed: string | null;
}

export type Instruction = SourcePosition &
  (
    | {
        readonly kind: 'spawn';
        /** Regular expression a worker name must match completely (`^<pattern>$`). */
        readonly workerPattern: string;
        readonly service: string;
        /** Clients to start in the worker's group for (service, client). */
        readonly num: number;
        /** Client app name; galileo's default request factory when null. */
        readonly client: string | null;
        readonly parameters: Readonly<Record<string, unknown>> | null;
      }
    | {
        readonly kind: 'rps';
        readonly workerPattern: string;
        readonly service: string;
        /** Requests per second of the whole group on each matching worker (galileo: per group); 0 pauses. */
        readonly rate: number;
        readonly client: string | null;
        readonly arrival: ArrivalOption | null;
      }
    | {
        readonly kind: 'close';
        readonly workerPattern: string;
        readonly service: string;
        readonly client: string | null;
      }
    | { readonly kind: 'sleep'; readonly seconds: number }
    | { readonly kind: 'workers'; readonly pattern: string | null }
    | { readonly kind: 'client_groups'; readonly worker: string | null }
    | { readonly kind: 'info' }
    | { readonly kind: 'ping' }
    | { readonly kind: 'echo'; readonly message: string }
    | { readonly kind: 'logging'; readonly on: boolean }
    | { readonly kind: 'exit' }
  );

export type InstructionKind = Instruction['kind'];

/** Why a line could not be parsed: where, what was expected, what was found. */
export interface InstructionError {
  readonly line: number;
  readonly column: number;
  /** What the parser wanted there, e.g. `a number of requests per second (>= 0)`. */
  readonly expected: string;
  /** What it found (quoted), or `the end of the line`. */
  readonly found: string;
  /** The whole sentence: `line 3, column 18: expected …, found "abc" (rps <worker> …)`. */
  readonly message: string;
}

/** The commands and their argument forms, for error messages and documentation. */
export const INSTRUCTION_USAGE: Readonly<Record<Exclude<InstructionKind, 'exit'>, string>> = {
  spawn: 'spawn <worker-regex> <service> [num=1] [client] [json-parameters]',
  rps: 'rps <worker-regex> <service> <rate> [client] [arrival=<process>] [seed=<seed>]',
  close: 'close <worker-regex> <service> [client]',
  sleep: 'sleep <seconds>',
  workers: 'workers [worker-regex]',
  client_groups: 'client_groups [worker]',
  info: 'info',
  ping: 'ping',
  echo: 'echo <text>',
  logging: 'logging on|off',
};
