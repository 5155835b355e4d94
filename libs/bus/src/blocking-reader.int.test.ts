import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  redisTestContext,
  startPrivateRedis,
  waitFor,
  type PrivateRedis,
  type RedisTestContext,
} from '@galileo/testing';
import {
  ConnectionLostError,
  createBlockingReader,
  RespBlockingReader,
  socketOptionsOf,
  type BlockingReader,
  type ReadGroupRequest,
} from './blocking-reader.js';
import { decodeReply, ReplyFramer, RespReplyError } from './resp-reply.js';
import { busFixture, note } from './test-support/bus-fixture.js';
import { plainReads } from './test-support/plain-reads.js';
import { silentLogger } from './types.js';

const plain = plainReads;

const readerOf = (redis: Redis, name = 'galileo-bus-read:test') =>
  new RespBlockingReader(socketOptionsOf(redis, name)!, silentLogger, 'read:test');

describe('the RESP blocking reader on the real Redis', () => {
  let ctx: RedisTestContext;
  const readers: BlockingReader[] = [];
  beforeAll(() => {
    ctx = redisTestContext('blocking-reader');
  });
  afterAll(async () => {
    readers.forEach((r) => r.disconnect());
    await ctx.cleanup();
  });
  const track = <R extends BlockingReader>(r: R): R => {
    readers.push(r);
    return r;
  };

  it('reads what the ioredis path reads: fields, foreign fields, multi-byte values, several streams', async () => {
    const a = `${ctx.prefix}a`;
    const b = `${ctx.prefix}b`;
    for (const k of [a, b]) await ctx.redis.xgroup('CREATE', k, 'g', '0', 'MKSTREAM');
    const big = JSON.stringify({ text: 'ü✓😀'.repeat(40_000) }); // spans many socket chunks
    await ctx.redis.xadd(a, '*', 's', 'galileo.a.x', 'e', '{"k":"wörld"}');
    await ctx.redis.xadd(a, '*', 'zz', 'foreign', 's', 'galileo.a.y', 'e', big, 'r', 'inbox', 'd', '123');
    await ctx.redis.xadd(b, '*', 'e', '{}');
    const request = (consumer: string): ReadGroupRequest => ({
      group: 'g',
      consumer,
      count: 10,
      blockMs: 100,
      keys: [a, b],
    });
    const resp = track(
      createBlockingReader(ctx.redis, { connectionName: 'x', logger: silentLogger, role: 'r' }),
    );
    const old = track(
      createBlockingReader(ctx.redis, {
        mode: 'ioredis',
        connectionName: 'y',
        logger: silentLogger,
        role: 'r',
      }),
    );
    expect(resp).toBeInstanceOf(RespBlockingReader);
    await resp.ready();
    await old.ready();
    const mine = plain(await resp.readGroup(request('c1')));
    // the other group's view of the same entries, through ioredis
    for (const k of [a, b]) await ctx.redis.xgroup('CREATE', k, 'h', '0');
    const theirs = plain(await old.readGroup({ ...request('c2'), group: 'h' }));
    expect(mine).toEqual(theirs);
    expect(mine![0]!.entries[1]!.json).toBe(big);
    expect(mine![0]!.entries[1]!.replyTo).toBe('inbox');
    expect(mine![0]!.entries[1]!.deadline).toBe(123);
    expect(mine![1]!.entries[0]!.subject).toBe('');
    // nothing new: the block times out
    expect(await resp.readGroup(request('c1'))).toBeNull();
  });

  it('rejects with the server error (NOGROUP) and goes on reading on the same connection', async () => {
    const reader = track(readerOf(ctx.redis));
    const key = `${ctx.prefix}nogroup`;
    const read = reader.readGroup({ group: 'missing', consumer: 'c', count: 1, blockMs: 10, keys: [key] });
    await expect(read).rejects.toBeInstanceOf(RespReplyError);
    await expect(read).rejects.toThrow(/NOGROUP/);
    const id = reader.clientId();
    await ctx.redis.xgroup('CREATE', key, 'missing', '$', 'MKSTREAM');
    expect(
      await reader.readGroup({ group: 'missing', consumer: 'c', count: 1, blockMs: 10, keys: [key] }),
    ).toBeNull();
    expect(reader.clientId()).toBe(id);
  });

  it('names its connection, and CLIENT UNBLOCK ends a blocked read at once', async () => {
    const reader = track(readerOf(ctx.redis, 'galileo-bus-read:unblock'));
    const key = `${ctx.prefix}unblock`;
    await ctx.redis.xgroup('CREATE', key, 'g', '$', 'MKSTREAM');
    await reader.ready();
    const list = String(await ctx.redis.client('LIST', 'ID', String(reader.clientId())));
    expect(list).toContain('name=galileo-bus-read:unblock');
    const started = Date.now();
    const read = reader.readGroup({ group: 'g', consumer: 'c', count: 1, blockMs: 10_000, keys: [key] });
    await new Promise((r) => setTimeout(r, 50));
    await ctx.redis.client('UNBLOCK', reader.clientId()!);
    expect(await read).toBeNull();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('rejects a read in flight when the connection is killed, and reconnects on the next read', async () => {
    const reader = track(readerOf(ctx.redis));
    const key = `${ctx.prefix}killed`;
    await ctx.redis.xgroup('CREATE', key, 'g', '$', 'MKSTREAM');
    await reader.ready();
    const before = reader.clientId()!;
    const read = reader.readGroup({ group: 'g', consumer: 'c', count: 1, blockMs: 10_000, keys: [key] });
    const lost = expect(read).rejects.toBeInstanceOf(ConnectionLostError); // (may reject before KILL answers)
    await new Promise((r) => setTimeout(r, 50));
    await ctx.redis.client('KILL', 'ID', String(before));
    await lost;
    await ctx.redis.xadd(key, '*', 's', 'galileo.k.x', 'e', '{}');
    const again = await reader.readGroup({
      group: 'g',
      consumer: 'c',
      count: 1,
      blockMs: 1_000,
      keys: [key],
    });
    expect(again?.[0]?.entries).toHaveLength(1);
    expect(reader.clientId()).not.toBe(before);
  });

  it('falls back to ioredis where only ioredis knows what to do (a keyPrefix)', () => {
    const prefixed = ctx.connect({ keyPrefix: 'p:' });
    const reader = track(
      createBlockingReader(prefixed, { connectionName: 'z', logger: silentLogger, role: 'r' }),
    );
    expect(reader).not.toBeInstanceOf(RespBlockingReader);
  });
});

describe('the RESP blocking reader with the connection options of the ioredis client', () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await startPrivateRedis({ appendfsync: 'everysec' });
    const admin = new Redis(server.port, '127.0.0.1');
    await admin.acl('SETUSER', 'reader', 'on', '>s3cret', '~*', '&*', '+@all');
    await admin.config('SET', 'requirepass', 'default-pass');
    admin.disconnect();
  });
  afterAll(async () => server?.destroy());

  it('authenticates (user and password), selects the db, and reads there', async () => {
    const client = new Redis({
      host: '127.0.0.1',
      port: server.port,
      username: 'reader',
      password: 's3cret',
      db: 3,
      maxRetriesPerRequest: null,
    });
    await client.xgroup('CREATE', 'db3', 'g', '0', 'MKSTREAM');
    await client.xadd('db3', '*', 's', 'galileo.db.x', 'e', '{"db":3}');
    const reader = createBlockingReader(client, { connectionName: 'n', logger: silentLogger, role: 'r' });
    expect(reader).toBeInstanceOf(RespBlockingReader);
    const got = await reader.readGroup({ group: 'g', consumer: 'c', count: 5, blockMs: 100, keys: ['db3'] });
    expect(got?.[0]?.entries.map((e) => e.json)).toEqual(['{"db":3}']);
    reader.disconnect();
    client.disconnect();
  });

  it('refuses a wrong password with the server error', async () => {
    const client = new Redis({
      host: '127.0.0.1',
      port: server.port,
      password: 'wrong',
      lazyConnect: true,
    });
    const reader = createBlockingReader(client, { connectionName: 'n', logger: silentLogger, role: 'r' });
    await expect(reader.ready()).rejects.toThrow(/WRONGPASS|invalid/i);
    reader.disconnect();
    client.disconnect();
  });
});

describe('the RESP blocking reader against a scripted server', () => {
  /** A server that answers the handshake, then each XREADGROUP with the next scripted bytes, a few bytes per write. */
  async function scriptedServer(replies: string[], listenOn = 0) {
    const seen: string[][] = [];
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.setNoDelay(true);
      const framer = new ReplyFramer((cmd) => {
        const args = decodeReply(cmd) as string[];
        seen.push(args);
        const name = args.slice(0, 2).join(' ').toUpperCase();
        if (name === 'CLIENT ID') socket.write(`:${100 + connections}\r\n`);
        else if (args[0]!.toUpperCase() !== 'XREADGROUP') socket.write('+OK\r\n');
        else void dribble(socket, replies.shift() ?? '*-1\r\n');
      });
      socket.on('data', (chunk: Buffer) => framer.push(chunk));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(listenOn, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };
    return {
      port,
      seen,
      connections: () => connections,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }
  async function dribble(socket: Socket, reply: string) {
    const bytes = Buffer.from(reply);
    for (let i = 0; i < bytes.length && !socket.destroyed; i += 3) {
      socket.write(bytes.subarray(i, i + 3));
      await new Promise((r) => setImmediate(r));
    }
  }
  const bulk = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  const request: ReadGroupRequest = { group: 'g', consumer: 'c', count: 2, blockMs: 50, keys: ['k1', 'k2'] };

  it('sends the handshake and XREADGROUP as ioredis would, and reads a reply that arrives in pieces', async () => {
    const json = JSON.stringify({ text: 'grüße ✓ 😀'.repeat(20) });
    const reply = `*1\r\n*2\r\n${bulk('k1')}*2\r\n*2\r\n${bulk('1-0')}*4\r\n${bulk('s')}${bulk('a.b')}${bulk('e')}${bulk(json)}*2\r\n${bulk('2-0')}*-1\r\n`;
    const server = await scriptedServer([reply]);
    const reader = new RespBlockingReader(
      { host: '127.0.0.1', port: server.port, password: 'pw', db: 2, connectionName: 'galileo-bus-read:g' },
      silentLogger,
      'read:g',
    );
    const got = await reader.readGroup(request);
    expect(server.seen).toEqual([
      ['AUTH', 'pw'],
      ['SELECT', '2'],
      ['CLIENT', 'SETNAME', 'galileo-bus-read:g'],
      ['CLIENT', 'ID'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'BLOCK', '50', 'STREAMS', 'k1', 'k2', '>', '>'],
    ]);
    expect(reader.clientId()).toBe(101);
    expect(plain(got)).toEqual([
      {
        key: 'k1',
        entries: [{ streamId: '1-0', subject: 'a.b', json, replyTo: null, deadline: null }],
        deleted: ['2-0'],
      },
    ]);
    reader.disconnect();
    await server.close();
  });

  it('drops a connection that sends what is not RESP, and reads again on a new one', async () => {
    const server = await scriptedServer(['?garbage\r\n', '*-1\r\n']);
    const reader = new RespBlockingReader({ host: '127.0.0.1', port: server.port }, silentLogger, 'read:g');
    await expect(reader.readGroup(request)).rejects.toBeInstanceOf(ConnectionLostError);
    expect(await reader.readGroup(request)).toBeNull();
    expect(server.connections()).toBe(2);
    reader.disconnect();
    await server.close();
  });

  it('waits in ready() for a server that comes up later', async () => {
    const { port } = await scriptedServer([]).then(async (s) => (await s.close(), s));
    const reader = new RespBlockingReader({ host: '127.0.0.1', port }, silentLogger, 'r');
    let ready = false;
    const waiting = reader.ready().then(() => (ready = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(ready).toBe(false);
    const server = await scriptedServer([], port);
    await waiting;
    expect(reader.clientId()).toBe(101);
    reader.disconnect();
    await server.close();
  });

  it('rejects with ConnectionLostError while nothing listens', async () => {
    const server = await scriptedServer([]);
    const port = server.port;
    await server.close();
    const reader = new RespBlockingReader(
      { host: '127.0.0.1', port, connectTimeout: 1_000 },
      silentLogger,
      'r',
    );
    await expect(reader.readGroup(request)).rejects.toBeInstanceOf(ConnectionLostError);
    reader.disconnect();
  });
});

describe('a subscription whose stream vanished (NOGROUP)', () => {
  for (const mode of ['resp', 'ioredis'] as const) {
    it(`recreates its group and goes on (${mode} reads)`, async () => {
      const fixture = busFixture(`nogroup-${mode}`);
      try {
        const bus = fixture.makeBus({ blockingReads: mode });
        const seen: string[] = [];
        await bus.subscribe('galileo.vanish.>', {
          group: 'g',
          blockMs: 50,
          handler: (e) => {
            if (e.type === 'GalileoEvent') seen.push(e.data.name);
          },
        });
        await bus.publish('galileo.vanish.x', note('before'));
        await waitFor(() => seen.includes('before'), { what: 'the first event' });
        await fixture.ctx.redis.del(bus.keys.stream('galileo.vanish'));
        await new Promise((r) => setTimeout(r, 150)); // a read or two meets NOGROUP
        await bus.publish('galileo.vanish.x', note('after'));
        await waitFor(() => seen.includes('after'), {
          timeoutMs: 10_000,
          what: 'an event after the group vanished',
        });
      } finally {
        await fixture.cleanup();
      }
    });
  }
});
