import { describe, expect, it } from 'vitest';
import { formatInstructionErrors, parseInstructions } from './parse-instructions.js';

// The README example of galileo's daemon, verbatim (the JSON string's \n are newlines).
const README_EXAMPLE =
  'spawn exphost squeezenet 1\nsleep 2\nrps exphost squeezenet 1\nsleep 5\nrps exphost squeezenet 0\nsleep 2\nclose exphost squeezenet';

const parsed = (text: string) => {
  const result = parseInstructions(text);
  if (!result.ok) throw new Error(formatInstructionErrors(result.error));
  return result.value;
};
const errorsOf = (text: string) => {
  const result = parseInstructions(text);
  if (result.ok) throw new Error(`expected errors for ${JSON.stringify(text)}`);
  return result.error;
};

describe('parseInstructions', () => {
  it('parses the README example', () => {
    const program = parsed(README_EXAMPLE);
    expect(program.map((i) => i.kind)).toEqual(['spawn', 'sleep', 'rps', 'sleep', 'rps', 'sleep', 'close']);
    expect(program[0]).toEqual({
      kind: 'spawn',
      line: 1,
      column: 1,
      text: 'spawn exphost squeezenet 1',
      workerPattern: 'exphost',
      service: 'squeezenet',
      num: 1,
      client: null,
      parameters: null,
    });
    expect(program[1]).toMatchObject({ kind: 'sleep', seconds: 2, line: 2 });
    expect(program[2]).toMatchObject({ kind: 'rps', rate: 1, client: null, arrival: null, line: 3 });
    expect(program[4]).toMatchObject({ kind: 'rps', rate: 0 });
    expect(program[6]).toMatchObject({
      kind: 'close',
      workerPattern: 'exphost',
      service: 'squeezenet',
      client: null,
    });
  });

  it('reads spawn with num, client and JSON parameters (with spaces, or single-quoted as galileo wrote them)', () => {
    const [a, b, c, d] = parsed(
      [
        'spawn w[0-9]+ squeezenet',
        'spawn w1 squeezenet 3 myapp {"path": "/x", "method": "post"}',
        'spawn w1 squeezenet 2 myapp \'{"a": 1}\'',
        'spawn w1 squeezenet 2 {"path": "/y"}',
      ].join('\n'),
    );
    expect(a).toMatchObject({ workerPattern: 'w[0-9]+', num: 1, client: null, parameters: null });
    expect(b).toMatchObject({ num: 3, client: 'myapp', parameters: { path: '/x', method: 'post' } });
    expect(c).toMatchObject({ num: 2, client: 'myapp', parameters: { a: 1 } });
    expect(d).toMatchObject({ num: 2, client: null, parameters: { path: '/y' } });
  });

  it('reads rps with a client and the arrival-process extension', () => {
    const [a, b, c, d] = parsed(
      [
        'rps w1 svc 2.5 myapp',
        'rps w1 svc 10 arrival=expovariate',
        'rps w1 svc 10 myapp arrival=uniform seed=42',
        'rps w1 svc 10 seed=7',
      ].join('\n'),
    );
    expect(a).toMatchObject({ rate: 2.5, client: 'myapp', arrival: null });
    expect(b).toMatchObject({ rate: 10, client: null, arrival: { process: 'exponential', seed: null } });
    expect(c).toMatchObject({ client: 'myapp', arrival: { process: 'uniform', seed: '42' } });
    expect(d).toMatchObject({ arrival: { process: 'constant', seed: '7' } });
  });

  it('reads the other commands, skips comments and blank lines, and keeps line numbers', () => {
    const program = parsed(
      [
        '# a comment',
        '',
        '   workers',
        'workers w.*',
        'client_groups',
        'client_groups w1',
        'info',
        'ping',
        'echo hello   world',
        'logging off',
        'logging on',
        'hosts',
        'close w1 svc myapp',
        'exit',
      ].join('\n'),
    );
    expect(program.map((i) => [i.kind, i.line])).toEqual([
      ['workers', 3],
      ['workers', 4],
      ['client_groups', 5],
      ['client_groups', 6],
      ['info', 7],
      ['ping', 8],
      ['echo', 9],
      ['logging', 10],
      ['logging', 11],
      ['workers', 12],
      ['close', 13],
      ['exit', 14],
    ]);
    expect(program[0]).toMatchObject({ column: 4, pattern: null });
    expect(program[1]).toMatchObject({ pattern: 'w.*' });
    expect(program[3]).toMatchObject({ worker: 'w1' });
    expect(program[6]).toMatchObject({ message: 'hello   world' });
    expect(program[7]).toMatchObject({ on: false });
    expect(program[8]).toMatchObject({ on: true });
    expect(program[10]).toMatchObject({ client: 'myapp' });
  });

  it('accepts an empty text as no instructions (the daemon decides that this is an error)', () => {
    expect(parsed('')).toEqual([]);
    expect(parsed('# only a comment\n\n')).toEqual([]);
  });

  it('reports an unknown command with its position and the known commands', () => {
    const [e] = errorsOf('sleep 1\n  spwan w1 svc');
    expect(e).toMatchObject({ line: 2, column: 3, found: '"spwan"' });
    expect(e!.expected).toContain('spawn, rps, close, sleep');
    expect(e!.message).toMatch(/^line 2, column 3: expected a command \(spawn, rps/);
  });

  it('reports bad arguments with line, column, what was expected and the usage', () => {
    const errors = errorsOf(
      [
        'rps w1 svc abc', // 1
        'rps w1 svc -1', // 2
        'sleep', // 3
        'spawn w1', // 4
        'spawn w1 svc 0', // 5
        'spawn w1 svc 1.5', // 6
        'spawn w1 svc 1 app {not json}', // 7
        'spawn w1 svc 1 app [1]', // 8
        'logging maybe', // 9
        'rps w1 svc 1 arrival=gamma', // 10
        'rps w1 svc 1 foo=bar', // 11
        'spawn w[ svc', // 12
        'close w1 svc app extra', // 13
        'ping now', // 14
        'sleep 1s', // 15
      ].join('\n'),
    );
    const at = (line: number) => errors.find((e) => e.line === line)!;
    expect(errors).toHaveLength(15);
    expect(at(1)).toMatchObject({
      column: 12,
      found: '"abc"',
      expected: 'a number of requests per second (>= 0)',
    });
    expect(at(1).message).toBe(
      'line 1, column 12: expected a number of requests per second (>= 0), found "abc" (rps <worker-regex> <service> <rate> [client] [arrival=<process>] [seed=<seed>])',
    );
    expect(at(2)).toMatchObject({ column: 12, found: '"-1"' });
    expect(at(3)).toMatchObject({
      column: 6,
      found: 'the end of the line',
      expected: 'a number of seconds (>= 0)',
    });
    expect(at(4)).toMatchObject({ column: 9, expected: 'a service name', found: 'the end of the line' });
    expect(at(5)).toMatchObject({ column: 14, expected: 'a number of clients (an integer >= 1)' });
    expect(at(6)).toMatchObject({ column: 14, found: '"1.5"' });
    expect(at(7)).toMatchObject({ column: 20 });
    expect(at(7).expected).toContain('client parameters as a JSON object');
    expect(at(8)).toMatchObject({ column: 20, expected: 'client parameters as a JSON object' });
    expect(at(9)).toMatchObject({ column: 9, expected: 'on or off', found: '"maybe"' });
    expect(at(10)).toMatchObject({ column: 22, found: '"gamma"' });
    expect(at(10).expected).toContain('constant, exponential, uniform');
    expect(at(11)).toMatchObject({ column: 14, expected: 'arrival=<process> or seed=<seed>' });
    expect(at(12)).toMatchObject({ column: 7, found: '"w["' });
    expect(at(12).expected).toMatch(/^a worker name pattern \(a regular expression\): /);
    expect(at(13)).toMatchObject({ column: 18, expected: 'the end of the line', found: '"extra"' });
    expect(at(14)).toMatchObject({ column: 6, expected: 'the end of the line' });
    expect(at(15)).toMatchObject({ column: 7, found: '"1s"' });
  });

  it('formats every error on its own line', () => {
    const errors = errorsOf('foo\nbar');
    expect(formatInstructionErrors(errors).split('\n')).toHaveLength(2);
  });
});
