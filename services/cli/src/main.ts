#!/usr/bin/env -S npx tsx
import { runCli } from './program.js';

// The `galileo` command: argv and the environment in, an exit code out. `galileo up` is the
// embedded mode of services/embedded, loaded only when it runs (it imports every service).
const code = await runCli(process.argv.slice(2), {
  io: {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    interactive: Boolean(process.stderr.isTTY),
  },
  up: async (args, ctx) => (await import('@galileo/embedded')).runUp(args, ctx),
});
// Let stdout drain before leaving (piped output would be cut otherwise).
process.stdout.write('', () => process.exit(code));
