// `npm run demo [-- --duration <s>] [-- --quiet]`: the main job. The embedded stack, sample-app
// replicas in two zones behind their load balancers, an experiment queued on
// galileo:experiments:instructions that ramps the rate so the optimizers act, then its report.
// services/embedded/src/demo.ts has the steps; this file only hands over argv and the exit code.
import { runDemo } from '@galileo/embedded';

const code = await runDemo(process.argv.slice(2));
process.stdout.write('', () => process.exit(code));
