// The image's entry point: `docker run galileo <service> [args…]` runs the service in this process
// (node stays PID 1 and receives SIGTERM itself): its bundle (services/<service>/dist/main.mjs,
// built by the image for the worker) on plain node, or else its services/<service>/src/main.ts
// through tsx, registered here for that service only.
// `--help` lists the services; `--check` (used by the build) fails when an entry point is missing.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const { services } = JSON.parse(readFileSync(join(here, 'services.json'), 'utf8'));
const names = Object.keys(services);
const [arg, ...rest] = process.argv.slice(2);

const usage = () =>
  [
    'usage: docker run galileo <service> [args…]',
    '',
    'services:',
    ...names.map(
      (n) => `  ${n.padEnd(26)}${existsSync(join(root, services[n].main)) ? '' : '(not in this image)'}`,
    ),
    '',
    'Configuration comes from the environment (galileo_redis_host, galileo_expdb_*, …); see deployment/README.md.',
  ].join('\n');

if (arg === undefined || arg === '--help' || arg === '-h' || arg === 'help') {
  process.stdout.write(`${usage()}\n`);
  process.exit(arg === undefined ? 2 : 0);
}

if (arg === '--check') {
  const missing = names.filter((n) => !existsSync(join(root, services[n].main)));
  if (missing.length > 0) {
    process.stderr.write(
      `entry points missing for: ${missing.map((n) => `${n} (${services[n].main})`).join(', ')}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`all ${names.length} entry points present\n`);
  process.exit(0);
}

const service = services[arg];
if (!service) {
  process.stderr.write(`unknown service '${arg}': expected one of ${names.join(', ')}\n\n${usage()}\n`);
  process.exit(2);
}
const main = join(root, service.main);
if (!existsSync(main)) {
  process.stderr.write(`service '${arg}' has no entry point ${service.main} in this image\n`);
  process.exit(2);
}
const bundle = service.bundle ? join(root, service.bundle) : null;
const program = bundle && existsSync(bundle) ? bundle : main;
// The service sees itself as the program: argv[1] is its main, its own arguments follow.
process.argv = [process.argv[0], program, ...rest];
process.title = `galileo-${arg}`;
if (program === main) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(pathToFileURL(program).href);
