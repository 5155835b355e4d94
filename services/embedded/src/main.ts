import { runUp } from './up.js';

// `galileo up` without the CLI: npx tsx services/embedded/src/main.ts (or npx nx run embedded:serve).
const code = await runUp(process.argv.slice(2), {
  env: process.env,
  io: { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) },
});
process.stdout.write('', () => process.exit(code));
