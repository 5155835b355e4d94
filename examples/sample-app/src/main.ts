import { readSampleAppEnvironment } from './config.js';
import { createSampleApp } from './sample-app.js';

// Wiring only: read the environment, build the app, start it, stop it on SIGTERM/SIGINT.
const config = readSampleAppEnvironment(process.env);
if (!config.ok) {
  console.error(config.error);
  process.exit(1);
}
const env = config.value;
const app = createSampleApp({
  port: env.SAMPLE_APP_PORT,
  host: env.SAMPLE_APP_HOST,
  name: env.SAMPLE_APP_NAME,
  cpuWorkMs: env.SAMPLE_APP_CPU_MS,
  cpuIterations: env.SAMPLE_APP_CPU_ITERATIONS,
  responseBytes: env.SAMPLE_APP_RESPONSE_BYTES,
});

const log = (msg: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), name: env.SAMPLE_APP_NAME, msg, ...fields }));

const { port } = await app.start();
log('listening', { port, host: env.SAMPLE_APP_HOST });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log('stopping', { signal });
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
