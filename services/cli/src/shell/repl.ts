import { readFile } from 'node:fs/promises';
import repl from 'node:repl';
import type { Readable, Writable } from 'node:stream';
import { inspect } from 'node:util';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { createShellObjects, USAGE } from './shell-objects.js';

const BANNER = `
   __ _  __ _| (_) |(_) ___  ___
  / _\` |/ _\` | | | || |/ _ \\/ _ \\
 | (_| | (_| | | | || |  __/ (_) |
  \\__, |\\__,_|_|_|_||_|\\___|\\___/
  |___/
Welcome to the galileo shell!
Type \`usage\` to list available functions
`;

export interface ShellOptions {
  /** Run this script with the shell's objects, then exit (galileo's --source). */
  source?: string;
  input?: Readable;
  output?: Writable;
}

/** `galileo shell`: a REPL whose globals are g, show, exp, rtbl, telemd; promises are awaited before printing. */
export async function runShell(ctx: CliContext, options: ShellOptions = {}): Promise<number> {
  const objects = createShellObjects(ctx);
  if (options.source) {
    let code: string;
    try {
      code = await readFile(options.source, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${options.source} (${(e as NodeJS.ErrnoException).code}): give a script file`, 2);
    }
    const names = Object.keys(objects);
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
      ...args: string[]
    ) => (...values: unknown[]) => Promise<unknown>;
    const print = (...values: unknown[]) => ctx.io.out(`${values.map((v) => (typeof v === 'string' ? v : inspect(v))).join(' ')}\n`);
    const script = new AsyncFunction(...names, 'print', code);
    await script(...names.map((n) => objects[n as keyof typeof objects]), print);
    return 0;
  }
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const terminal = Boolean((output as NodeJS.WriteStream).isTTY);
  if (terminal) output.write(BANNER);
  const server = repl.start({ prompt: 'galileo> ', input, output, terminal, useGlobal: false, ignoreUndefined: true });
  Object.assign(server.context, objects);
  const original = server.eval;
  // Await what a call returns, so `g.workers()` prints names, not `Promise { <pending> }`.
  const awaitingEval: typeof server.eval = function (this: repl.REPLServer, code, context, file, callback) {
    original.call(this, code, context, file, (error, result) => {
      if (error || !result || typeof (result as Promise<unknown>).then !== 'function') return callback(error, result);
      (result as Promise<unknown>).then(
        (value) => callback(null, value),
        (e: unknown) => {
          output.write(`error: ${(e as Error).message ?? String(e)}\n`);
          callback(null, undefined);
        },
      );
    });
  };
  (server as unknown as { eval: typeof server.eval }).eval = awaitingEval;
  server.defineCommand('usage', { help: 'List the shell objects', action: () => { output.write(USAGE); server.displayPrompt(); } });
  await new Promise<void>((resolve) => server.once('exit', () => resolve()));
  return 0;
}
