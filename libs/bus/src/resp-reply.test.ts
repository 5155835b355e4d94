import { describe, expect, it } from 'vitest';
import {
  decodeReply,
  decodeStreamsReply,
  ReplyFramer,
  RespProtocolError,
  RespReplyError,
  type StreamRead,
} from './resp-reply.js';
import { plainReads } from './test-support/plain-reads.js';

const bulk = (s: string | null) => (s === null ? '$-1\r\n' : `$${Buffer.byteLength(s)}\r\n${s}\r\n`);
const arr = (items: string[] | null) =>
  items === null ? '*-1\r\n' : `*${items.length}\r\n${items.join('')}`;
const entry = (id: string, fields: string[] | null) =>
  arr([bulk(id), arr(fields === null ? null : fields.map(bulk))]);
const streams = (...s: [string, string[]][]) =>
  arr(s.map(([key, entries]) => arr([bulk(key), arr(entries)])));

const plain = plainReads;

/** Frames `bytes` fed in the given chunk boundaries; returns every whole reply. */
function frame(bytes: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  const framer = new ReplyFramer((r) => out.push(Buffer.from(r)));
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    framer.push(bytes.subarray(at, cut));
    at = cut;
  }
  return out;
}

const envelope = JSON.stringify({
  id: '01J',
  type: 'TelemetryReported',
  data: { node: 'nöde-✓-😀', value: 1.5 },
});
const sample = Buffer.from(
  streams(
    [
      'bus:galileo.telemetry',
      [
        entry('1700000000000-0', ['s', 'galileo.telemetry.nöde', 'e', envelope]),
        entry('1700000000000-1', ['x-foreign', 'ignored', 's', 'galileo.telemetry.b', 'e', '{}', 'zz', 'ü']),
        entry('1700000000001-0', null), // deleted while pending
        entry('1700000000002-0', [
          's',
          'galileo.req.a',
          'e',
          '{"a":1}',
          'r',
          'inbox:1',
          'd',
          '1700000005000',
        ]),
      ],
    ],
    ['bus:galileo.other', [entry('5-0', ['e', 'only', 'odd'])]],
  ),
);

const expected: StreamRead[] = [
  {
    key: 'bus:galileo.telemetry',
    entries: [
      {
        streamId: '1700000000000-0',
        subject: 'galileo.telemetry.nöde',
        json: envelope,
        replyTo: null,
        deadline: null,
      },
      {
        streamId: '1700000000000-1',
        subject: 'galileo.telemetry.b',
        json: '{}',
        replyTo: null,
        deadline: null,
      },
      {
        streamId: '1700000000002-0',
        subject: 'galileo.req.a',
        json: '{"a":1}',
        replyTo: 'inbox:1',
        deadline: 1700000005000,
      },
    ],
    deleted: ['1700000000001-0'],
  },
  {
    key: 'bus:galileo.other',
    entries: [{ streamId: '5-0', subject: '', json: 'only', replyTo: null, deadline: null }],
    deleted: [],
  },
];

describe('ReplyFramer', () => {
  it('frames a reply split at every byte boundary, in two and in three chunks', () => {
    for (let i = 0; i <= sample.length; i++) {
      const [reply, ...rest] = frame(sample, [i]);
      expect(rest).toEqual([]);
      expect(reply!.equals(sample)).toBe(true);
      expect(plain(decodeStreamsReply(reply!))).toEqual(expected);
    }
    for (let i = 1; i < sample.length; i += 7) {
      for (let j = i; j < sample.length; j += 5) {
        const replies = frame(sample, [i, j]);
        expect(replies).toHaveLength(1);
        expect(plain(decodeStreamsReply(replies[0]!))).toEqual(expected);
      }
    }
  });

  it('frames a reply fed one byte at a time, multi-byte characters split across chunks', () => {
    const cuts = Array.from({ length: sample.length - 1 }, (_, i) => i + 1);
    const replies = frame(sample, cuts);
    expect(replies).toHaveLength(1);
    expect(plain(decodeStreamsReply(replies[0]!))).toEqual(expected);
  });

  it('hands on back-to-back replies in one chunk, and the nil reply of a timed-out block', () => {
    const bytes = Buffer.from(
      `:42\r\n*-1\r\n+OK\r\n${sample.toString('latin1')}-NOGROUP No such key\r\n`,
      'latin1',
    );
    for (const cuts of [[], [3], [6, 12], [bytes.length - 3]]) {
      const replies = frame(bytes, cuts);
      expect(replies.map((r) => decodeReply(r) instanceof Error)).toEqual([false, false, false, false, true]);
      expect(decodeReply(replies[0]!)).toBe(42);
      expect(decodeStreamsReply(replies[1]!)).toBeNull();
      expect(decodeReply(replies[2]!)).toBe('OK');
      expect(plain(decodeStreamsReply(replies[3]!))).toEqual(expected);
    }
  });

  it('waits for the CRLF after a bulk body before the reply is whole', () => {
    const bytes = Buffer.from(bulk('abc'));
    expect(frame(bytes.subarray(0, bytes.length - 1), [])).toEqual([]);
    expect(frame(bytes.subarray(0, bytes.length - 2), [])).toEqual([]);
    expect(frame(bytes, [bytes.length - 1]).map((r) => decodeReply(r))).toEqual(['abc']);
  });

  it('refuses bytes that are not RESP2', () => {
    expect(() => frame(Buffer.from('hello\r\n'), [])).toThrow(RespProtocolError);
    expect(() => frame(Buffer.from('$x\r\n'), [])).toThrow(RespProtocolError);
  });
});

describe('decoding', () => {
  it("gives an error reply as a ReplyError with Redis's message (NOGROUP is recognised as before)", () => {
    const err = decodeStreamsReply(Buffer.from("-NOGROUP No such key 'bus:x' or consumer group 'g'\r\n"));
    expect(err).toBeInstanceOf(RespReplyError);
    expect((err as Error).message).toMatch(/^NOGROUP No such key/);
  });

  it('decodes generic replies as ioredis does with strings', () => {
    const bytes = Buffer.from(`*5\r\n:7\r\n${bulk('wörld')}${bulk(null)}*-1\r\n*2\r\n+OK\r\n-ERR inner\r\n`);
    const v = decodeReply(bytes) as unknown[];
    expect(v.slice(0, 4)).toEqual([7, 'wörld', null, null]);
    expect((v[4] as unknown[])[0]).toBe('OK');
    expect((v[4] as unknown[])[1]).toBeInstanceOf(RespReplyError);
  });

  it('reads a deadline that is not plain digits as Number() would', () => {
    const reply = Buffer.from(
      streams(['k', [entry('1-0', ['s', 'a.b', 'e', '{}', 'd', '1.5e3']), entry('2-0', ['d', ''])]]),
    );
    const [s] = decodeStreamsReply(reply) as StreamRead[];
    expect(s!.entries.map((e) => e.deadline)).toEqual([1500, 0]);
  });

  it('reads the envelope from the reply bytes on each access, and serialises like a plain entry', () => {
    const chunk = Buffer.from(sample);
    const replies: Buffer[] = [];
    new ReplyFramer((r) => replies.push(r)).push(chunk);
    const [s] = decodeStreamsReply(replies[0]!) as StreamRead[];
    const e = s!.entries[0]!;
    expect(e.json).toBe(envelope);
    expect(e.json).toBe(envelope);
    expect(JSON.parse(JSON.stringify(e))).toEqual(expected[0]!.entries[0]);
  });

  it('gives every entry its own subject when consecutive subjects differ in one byte only', () => {
    const subjects = ['galileo.t.a', 'galileo.t.a', 'galileo.t.b', 'galileo.t.a', 'galileo.t.ab', ''];
    const reply = Buffer.from(streams(['k', subjects.map((s, i) => entry(`${i}-0`, ['s', s, 'e', '{}']))]));
    const [s] = decodeStreamsReply(reply) as StreamRead[];
    expect(s!.entries.map((e) => e.subject)).toEqual(subjects);
  });

  it('keeps a large envelope whole', () => {
    const big = 'ä'.repeat(300_000);
    const bytes = Buffer.from(streams(['k', [entry('1-0', ['s', 'a.b', 'e', big])]]));
    const cuts = Array.from({ length: 9 }, (_, i) => Math.floor((bytes.length * (i + 1)) / 10));
    const [reply] = frame(bytes, cuts);
    expect((decodeStreamsReply(reply!) as StreamRead[])[0]!.entries[0]!.json).toBe(big);
  });
});
