import { describe, expect, it } from 'vitest';
import { generateExperimentId, readQueueMessage, type ReadMessageContext } from './queue-message.js';

const ctx: ReadMessageContext = {
  now: 1000.5,
  newId: () => 'gen-0001',
  defaultCreator: 'galileo-42',
  maxBytes: 1024,
};
const README =
  '{"instructions": "spawn exphost squeezenet 1\\nsleep 2\\nrps exphost squeezenet 1\\nsleep 5\\nrps exphost squeezenet 0\\nsleep 2\\nclose exphost squeezenet"}';

describe('readQueueMessage', () => {
  it('reads the README example with galileo defaults (id generated, name = id, creator galileo-<pid>)', () => {
    const m = readQueueMessage(README, ctx);
    expect(m).toMatchObject({
      experiment: { id: 'gen-0001', name: 'gen-0001', creator: 'galileo-42', created: 1000.5 },
      form: 'instructions',
      problem: null,
    });
    expect(m.instructions.split('\n')).toHaveLength(7);
  });

  it('takes id or exp_id, name, creator and created from the message', () => {
    expect(
      readQueueMessage('{"instructions": "ping", "id": "e1", "name": "n", "creator": "c", "created": 5}', ctx)
        .experiment,
    ).toEqual({
      id: 'e1',
      name: 'n',
      creator: 'c',
      created: 5,
    });
    expect(readQueueMessage('{"instructions": "ping", "exp_id": "e2"}', ctx).experiment).toMatchObject({
      id: 'e2',
      name: 'e2',
    });
  });

  it("reads the configuration form, and pymq's QueuedExperiment", () => {
    const m = readQueueMessage(
      JSON.stringify({
        experiment: { id: 'c1', name: 'conf', creator: 'me' },
        configuration: { duration: 2, interval: 1, workloads: [{ service: 's', ticks: [1, 2] }] },
      }),
      ctx,
    );
    expect(m).toMatchObject({
      experiment: { id: 'c1', name: 'conf', creator: 'me' },
      form: 'configuration',
      problem: null,
    });
    expect(m.configuration?.workloads[0]).toMatchObject({ service: 's', clients_per_host: 1 });
    const pymq = readQueueMessage(
      '{"__obj": [{"id": "201910301200-ab12", "name": "e1", "creator": "me", "start": null, "end": null, "created": 1572436800.0, "status": "QUEUED"}, [10, 2, [["alexnet", [1,2,3,1,1], 2, "constant", null, {}]]]], "__type": "galileodb.model.QueuedExperiment"}',
      ctx,
    );
    expect(pymq).toMatchObject({
      experiment: { id: '201910301200-ab12', created: 1572436800 },
      form: 'configuration',
      problem: null,
    });
  });

  it('keeps the id and time it stamped on a message earlier', () => {
    const m = readQueueMessage('not json', { ...ctx, stamped: { id: 'kept', received: 7 } });
    expect(m.experiment).toEqual({ id: 'kept', name: 'kept', creator: 'galileo-42', created: 7 });
  });

  it.each([
    ['not json', 'unreadable', /^the message is not valid JSON \(.*\): expected \{"instructions"/],
    ['', 'unreadable', /^the message is empty/],
    ['[1, 2]', 'unreadable', /is JSON \[1,2\], not an object/],
    ['"__POISON__"', 'unreadable', /not an object/],
    ['{"name": "x"}', 'instructions', /has no "instructions"/],
    ['{"instructions": 42}', 'instructions', /"instructions" is 42: expected a string/],
    ['{"instructions": ""}', 'instructions', /has no instructions/],
    ['{"instructions": "# nothing\\n\\n"}', 'instructions', /has no instructions/],
    [
      '{"instructions": "spawn exphost squeezenet 1\\nfly away"}',
      'instructions',
      /^invalid instructions:\nline 2, column 1: expected a command/,
    ],
    [
      '{"instructions": "rps w s fast"}',
      'instructions',
      /line 1, column 9: expected a number of requests per second/,
    ],
    ['{"instructions": "ping", "id": {"a": 1}}', 'instructions', /"id" is \{"a":1\}: expected a string/],
    ['{"instructions": "ping", "id": "a b"}', 'instructions', /contains white space/],
    [
      '{"experiment": {"id": "c"}, "configuration": {"duration": 1}}',
      'configuration',
      /^invalid configuration: interval: .*workloads/,
    ],
    ['{"experiment": 5, "configuration": {}}', 'configuration', /"experiment" is 5/],
  ])('records %j as a problem: %s', (raw, form, problem) => {
    const m = readQueueMessage(raw, ctx);
    expect(m.form).toBe(form);
    expect(m.problem).toMatch(problem);
    expect(m.experiment.id.length).toBeGreaterThan(0);
  });

  it('refuses a message over the size limit unread', () => {
    const big = JSON.stringify({ instructions: `echo ${'x'.repeat(2000)}` });
    const m = readQueueMessage(big, ctx);
    expect(m).toMatchObject({ form: 'unreadable', instructions: '', experiment: { id: 'gen-0001' } });
    expect(m.problem).toBe(
      `the message is ${big.length} bytes; the limit is 1024 bytes (galileo_experimentd_max_message_size)`,
    );
  });
});

describe('generateExperimentId', () => {
  it("is galileo-db's YYYYMMDDHHMM-xxxx in local time", () => {
    const id = generateExperimentId(new Date(2020, 9, 18, 15, 30).getTime(), () => 0.2474);
    expect(id).toBe('202010181530-3f55');
    expect(generateExperimentId(Date.now())).toMatch(/^\d{12}-[0-9a-f]{4}$/);
  });
});
