import { readFile } from 'node:fs/promises';
import repl from 'node:repl';
import { createInterface } from 'node:readline';
import { PassThrough, type Readable, type Writable } from 'node:stream';
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
      throw new CliError(
        `cannot read ${options.source} (${(e as NodeJS.ErrnoException).code}): give a script file`,
        2,
      );
    }
    const names = Object.keys(objects);
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
      ...args: string[]
    ) => (...values: unknown[]) => Promise<unknown>;
    const print = (...values: unknown[]) =>
      ctx.io.out(`${values.map((v) => (typeof v === 'string' ? v : inspect(v))).join(' ')}\n`);
    const script = new AsyncFunction(...names, 'print', code);
    await script(...names.map((n) => objects[n as keyof typeof objects]), print);
    return 0;
  }
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const terminal =
    Boolean((output as NodeJS.WriteStream).isTTY) && Boolean((input as NodeJS.ReadStream).isTTY);
  if (terminal) output.write(BANNER);
  // Piped input (a script, a test) is fed one line at a time, each after the previous call
  // resolved: otherwise lines run concurrently and `.exit` overtakes what is still printing.
  const gate = terminal ? null : lineGate(input);
  const server = repl.start({
    prompt: 'galileo> ',
    input: gate?.stream ?? input,
    output,
    terminal,
    useGlobal: false,
    ignoreUndefined: true,
  });
  Object.assign(server.context, objects);
  const original = server.eval;
  // Await what a call returns, so `g.workers()` prints names, not `Promise { <pending> }`.
  const awaitingEval: typeof server.eval = function (this: repl.REPLServer, code, context, file, callback) {
    gate?.busy();
    const done: typeof callback = (error, result) => {
      callback(error, result);
      gate?.next();
    };
    original.call(this, code, context, file, (error, result) => {
      if (error || !result || typeof (result as Promise<unknown>).then !== 'function')
        return done(error, result);
      (result as Promise<unknown>).then(
        (value) => done(null, value),
        (e: unknown) => {
          output.write(`error: ${(e as Error).message ?? String(e)}\n`);
          done(null, undefined);
        },
      );
    });
  };
  (server as unknown as { eval: typeof server.eval }).eval = awaitingEval;
  server.defineCommand('usage', {
    help: 'List the shell objects',
    action: () => {
      output.write(USAGE);
      server.displayPrompt();
    },
  });
  gate?.next();
  await new Promise<void>((resolve) => server.once('exit', () => resolve()));
  return 0;
}

/** Releases the lines of `input` one by one: the next when `next()` is called and no eval is running. */
function lineGate(input: Readable) {
  const stream = new PassThrough();
  const lines: string[] = [];
  let ended = false;
  let running = false;
  const reader = createInterface({ input, crlfDelay: Infinity });
  const release = () => {
    if (running) return;
    const line = lines.shift();
    if (line === undefined) {
      if (ended) stream.end();
      return;
    }
    // Lines that run no code (blank, REPL commands) give no eval callback: release the next one too.
    const runsCode = line.trim() !== '' && !line.trim().startsWith('.');
    stream.write(`${line}\n`);
    if (!runsCode) setImmediate(release);
  };
  reader.on('line', (line) => {
    lines.push(line);
    release();
  });
  reader.on('close', () => {
    ended = true;
    release();
  });
  return {
    stream,
    busy: () => void (running = true),
    next: () => {
      running = false;
      setImmediate(release);
    },
  };
}
