import { describe, expect, it } from 'vitest';
import { runCli } from './program.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), interactive: false },
    out,
    err,
  };
}

describe('runCli', () => {
  it('answers --help with examples for every subcommand', async () => {
    const commands = [
      'run',
      'experiments',
      'experiments ls',
      'experiments show',
      'experiments cancel',
      'experiments rm',
      'workers',
      'rtbl',
      'rtbl ls',
      'rtbl set',
      'rtbl rm',
      'events',
      'events tail',
      'report',
      'export',
      'shell',
      'up',
    ];
    for (const cmd of commands) {
      const c = capture();
      expect(await runCli([...cmd.split(' '), '--help'], { io: c.io, env: {} }), cmd).toBe(0);
      expect(c.out.join(''), cmd).toContain('Examples:');
    }
  });

  it('exits 0 for help, 2 for usage errors, and says galileo up is not built yet (1)', async () => {
    const help = capture();
    expect(await runCli(['run', '--help'], { io: help.io, env: {} })).toBe(0);
    expect(help.out.join('')).toContain('Ctrl-C asks the daemon to cancel');
    const bad = capture();
    expect(await runCli(['rtbl', 'set'], { io: bad.io, env: {} })).toBe(2);
    const env = capture();
    expect(await runCli(['workers'], { io: env.io, env: { galileo_redis_port: 'abc' } })).toBe(2);
    expect(env.err.join('')).toMatch(
      /^galileo: galileo_redis_port="abc": expected an integer port 1-65535: fix the variable/,
    );
    const up = capture();
    expect(await runCli(['up'], { io: up.io, env: {} })).toBe(1);
    expect(up.err.join('')).toMatch(/galileo up is not part of this build/);
    let called = false;
    expect(
      await runCli(['up', '--duration', '20'], {
        io: up.io,
        env: {},
        up: async (args) => ((called = args.join(' ') === '--duration 20'), 0),
      }),
    ).toBe(0);
    expect(called).toBe(true);
  });
});
