import { describe, expect, it } from 'vitest';
import { eventLine, telemetryLine, traceLine, traceTimestampNs, type TracePoint } from './galileo-points.js';
import { formatLine } from './line-protocol.js';

const trace: TracePoint = {
  requestId: 'a1b2c3d4e5:17',
  client: 'w1:squeezenet:0',
  service: 'squeezenet',
  created: 1603020000.1234567,
  sent: 1603020000.1235,
  done: 1603020000.2,
  status: 200,
  server: 'host1:8080',
  experimentId: 'exp-1',
  headers: '{"Content-Type": "application/json", "X-Start": "1"}',
  response: 'say "hi"\\ back',
};

describe('line protocol', () => {
  it('escapes measurement, tag and field syntax and leaves empty tags out', () => {
    expect(
      formatLine(
        'm m,x',
        { 'a b': 'c,d=e', empty: '', none: null },
        { f: 'q"\\', n: 1.5, i: { int: 3 } },
        7n,
      ),
    ).toBe('m\\ m\\,x,a\\ b=c\\,d\\=e f="q\\"\\\\",n=1.5,i=3i 7');
  });
});

describe('galileo points', () => {
  it('keeps galileo tag names but puts request ids, times, bodies and headers in fields', () => {
    const line = traceLine(trace);
    const [series] = line.split(' ');
    expect(series).toBe(
      'traces,client=w1:squeezenet:0,exp_id=exp-1,server=host1:8080,service=squeezenet,status=200',
    );
    expect(line).toContain('request_id="a1b2c3d4e5:17"');
    expect(line).toContain('created=1603020000.1234567');
    expect(line).toContain('headers="{\\"Content-Type\\": \\"application/json\\", \\"X-Start\\": \\"1\\"}"');
    expect(line).toContain('response="say \\"hi\\"\\\\ back"');
    const t = telemetryLine({
      experimentId: 'e',
      node: 'n1',
      metric: 'cpu',
      subsystem: null,
      timestamp: 1603020000.5,
      value: 12,
    });
    expect(t).toBe('telemetry,exp_id=e,metric=cpu,node=n1 value=12,ts=1603020000.5 1603020000500000000');
    const e = eventLine({
      experimentId: 'e',
      timestamp: 1603020000.25,
      name: 'scale_schedule',
      value: '{"a": 1}',
      eventId: null,
    });
    expect(e).toBe(
      'events,exp_id=e,name=scale_schedule value="{\\"a\\": 1}",ts=1603020000.25 1603020000250000000',
    );
  });

  it('gives a redelivered trace the same key and time, and different traces different times', () => {
    expect(traceLine({ ...trace })).toBe(traceLine(trace));
    const other = { ...trace, requestId: 'a1b2c3d4e5:18' };
    expect(traceTimestampNs(other)).not.toBe(traceTimestampNs(trace));
    expect(traceTimestampNs(trace) / 1000n).toBe(traceTimestampNs(other) / 1000n); // same microsecond
    // never sent (routing failed): the time is `created`
    expect(traceTimestampNs({ ...trace, sent: -1 }) / 1000n).toBe(1603020000123457n);
  });
});

describe('the hand-written trace line', () => {
  it('is the line formatLine gives for the same point', () => {
    for (const t of [
      trace,
      { ...trace, status: null, server: null, headers: null, response: null, sent: -1 },
      { ...trace, client: 'a b,c=d' },
    ]) {
      const expected = formatLine(
        'traces',
        {
          client: t.client,
          exp_id: t.experimentId,
          server: t.server,
          service: t.service,
          status: t.status === null ? null : String(t.status),
        },
        {
          request_id: t.requestId,
          created: t.created,
          sent: t.sent,
          done: t.done,
          rt: t.sent > 0 ? t.done - t.sent : null,
          headers: t.headers,
          response: t.response,
        },
        traceTimestampNs(t),
      );
      expect(traceLine(t)).toBe(expected);
    }
  });
});

describe('string fields with line breaks', () => {
  it('escapes them so a body never ends the point', () => {
    const line = traceLine({ ...trace, response: 'a\nb\r\nc' });
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain('response="a\\nb\\r\\nc"');
  });
});
