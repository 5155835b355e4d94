// Diagnostics of bench:worker: self and inclusive time by function in a V8 CPU profile (node --cpu-prof).
//
//   npx tsx bench/worker-bench-profile.ts <file.cpuprofile> [--from S] [--to S] [--top 40] [--requests N]
//
// --from/--to: seconds since the profile started (worker-bench-fixed.ts prints its measured window);
// --requests: the requests of that window, to print µs per request beside each share.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    top: { type: 'string', default: '40' },
    requests: { type: 'string' },
  },
});
const file = positionals[0];
if (!file) throw new Error('usage: worker-bench-profile.ts <file.cpuprofile> [--from S] [--to S] [--top N]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const fromUs = args.from === undefined ? -Infinity : Number(args.from) * 1e6;
const toUs = args.to === undefined ? Infinity : Number(args.to) * 1e6;
const requests = args.requests === undefined ? null : Number(args.requests);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n: ProfileNode): string => {
  const { functionName, url, lineNumber } = n.callFrame;
  const where = url ? `${url.replace(/^.*\/(node_modules|services|libs)\//, '$1/')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
};

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let t = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i]!;
  if (t < fromUs || t > toUs) continue;
  // a sample stands for the interval until the next one
  const dt = profile.timeDeltas[i + 1] ?? 0;
  const leaf = byId.get(profile.samples[i]!)!;
  total += dt;
  self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const l = label(byId.get(id)!);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
  }
}

const top = Number(args.top);
const print = (title: string, table: Map<string, number>) => {
  console.log(`\n${title} (of ${(total / 1e6).toFixed(2)} s sampled)`);
  for (const [name, us] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const perRequest = requests ? `${(us / requests).toFixed(2).padStart(7)} µs/req  ` : '';
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${perRequest}${name}`);
  }
};
const idle = self.get('(idle)') ?? 0;
console.log(`busy (not idle): ${(((total - idle) / total) * 100).toFixed(1)} %`);
print('self', self);
print('inclusive', inclusive);
