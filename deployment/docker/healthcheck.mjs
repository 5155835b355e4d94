// HEALTHCHECK of the image: finds which service PID 1 runs (its command line), reads that service's
// health port from the environment (or its default), and GETs /healthz. Exit 0 = healthy.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'node:http';

const here = dirname(fileURLToPath(import.meta.url));
const { services } = JSON.parse(readFileSync(join(here, 'services.json'), 'utf8'));

/** The service name from a command line `node --import tsx …/entrypoint.mjs <service> …`. */
export function serviceFromCommandLine(argv) {
  const at = argv.findIndex((a) => a.endsWith('entrypoint.mjs'));
  return at >= 0 ? argv[at + 1] : undefined;
}

/** The port of a service's /healthz given an environment, or undefined when it serves none. */
export function healthPort(name, env) {
  const health = services[name]?.health;
  if (!health) return undefined;
  const raw = (env[health.variable] ?? '').trim();
  if (raw === '') return health.port;
  const text = health.form === 'host:port' ? raw.slice(raw.lastIndexOf(':') + 1) : raw;
  const port = Number(text);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  let argv = [];
  try {
    argv = readFileSync('/proc/1/cmdline', 'utf8').split('\0').filter(Boolean);
  } catch {
    argv = [];
  }
  const name = process.env.GALILEO_SERVICE || serviceFromCommandLine(argv);
  const port = name ? healthPort(name, process.env) : undefined;
  if (!name || port === undefined) {
    // A one-shot command (cli, --help) or a service without a health server: nothing to check.
    process.exit(0);
  }
  const req = request({ host: '127.0.0.1', port, path: '/healthz', timeout: 4000 }, (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (e) => {
    process.stderr.write(`healthcheck ${name}: ${e.message}\n`);
    process.exit(1);
  });
  req.end();
}
