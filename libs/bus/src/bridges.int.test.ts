import { afterEach, describe, expect, it } from 'vitest';
import { delay, waitFor } from '@galileo/testing';
import type { CatalogueEvent, GalileoCatalogue } from '@galileo/events';
import { SUBSCRIBER_OPTIONS } from './connection-watch.js';
import {
  ingestGalileoEvents,
  ingestTelemd,
  mirrorGalileoEvents,
  GALILEO_EVENTS_CHANNEL,
} from './galileo-bridges.js';
import { busFixture, type BusFixture } from './test-support/bus-fixture.js';

let fx: BusFixture;
afterEach(async () => fx?.cleanup());

// The bridges speak the real channel names, so each test listens on its own subscriber and
// tells its own lines apart by a unique event name.
describe('pub/sub bridges (real Redis)', () => {
  it('mirrors bus events as galileo lines and ingests external lines, with no echo loop', async () => {
    fx = busFixture('bridge');
    const mirrorBus = fx.makeBus({ source: 'mirror' });
    const ingestBus = fx.makeBus({ source: 'ingest' });
    const tag = fx.ctx.prefix.replace(/[^a-z0-9]/gi, '');
    const onChannel: string[] = [];
    const listener = fx.ctx.connect(SUBSCRIBER_OPTIONS);
    listener.on('message', (_c: string, m: string) => {
      if (m.includes(tag)) onChannel.push(m);
    });
    await listener.subscribe(GALILEO_EVENTS_CHANNEL);
    const onBus: CatalogueEvent<GalileoCatalogue>[] = [];
    await mirrorBus.subscribe('galileo.events.>', { group: 'observer', handler: (e) => void onBus.push(e) });
    await mirrorGalileoEvents(mirrorBus);
    const ingest = await ingestGalileoEvents(ingestBus);

    // 1. An event published on the bus appears once on the channel and is not ingested back.
    await mirrorBus.publish(`galileo.events.${tag}_a`, {
      type: 'GalileoEvent',
      data: { name: `${tag}_a`, value: { fn: 'resnet', replicas: 2 }, timestamp: 1603020000.5 },
    });
    await waitFor(() => onChannel.length === 1, { what: 'the mirrored line' });
    expect(onChannel[0]).toBe(`1603020000.5 ${tag}_a {"fn":"resnet","replicas":2}`);

    // 2. A line from an outside tool (Python galileo's exp.event) is ingested once and not mirrored back.
    const outside = fx.ctx.connect();
    await outside.publish(GALILEO_EVENTS_CHANNEL, `1603020001.25 ${tag}_b some text value`);
    await waitFor(() => onBus.some((e) => e.type === 'GalileoEvent' && e.data.name === `${tag}_b`), {
      what: 'the ingested line',
    });
    await delay(400);
    expect(onChannel).toEqual([
      `1603020000.5 ${tag}_a {"fn":"resnet","replicas":2}`,
      `1603020001.25 ${tag}_b some text value`,
    ]);
    const names = onBus.map((e) => (e.type === 'GalileoEvent' ? e.data.name : ''));
    expect(names.filter((n) => n === `${tag}_a`)).toHaveLength(1);
    expect(names.filter((n) => n === `${tag}_b`)).toHaveLength(1);
    const ingested = onBus.find((e) => e.type === 'GalileoEvent' && e.data.name === `${tag}_b`)!;
    expect(ingested).toMatchObject({
      subject: `galileo.events.${tag}_b`,
      source: 'pubsub:galileo/events',
      data: { timestamp: 1603020001.25, value: 'some text value' },
    });
    expect(ingest.stats().echoesSkipped).toBeGreaterThanOrEqual(1);
  });

  it('ingests telemd telemetry and keeps unreadable messages with their reason', async () => {
    fx = busFixture('telemd');
    const bus = fx.makeBus();
    const node = `node-${fx.ctx.prefix.replace(/[^a-z0-9]/gi, '')}`;
    const got: CatalogueEvent<GalileoCatalogue>[] = [];
    await bus.subscribe('galileo.telemetry.*.*', {
      group: 'rec',
      handler: (e) => {
        if (e.type === 'TelemetryReported' && e.data.node === node) got.push(e);
      },
    });
    const ingest = await ingestTelemd(bus);
    const telemd = fx.ctx.connect();
    await telemd.publish(`telem/${node}/cpu`, '1603020000.123456789 42.000000');
    await telemd.publish(`telem/${node}/tx/eth0`, '1603020000.5 1.5');
    await telemd.publish(`telem/${node}/cpu`, 'garbage');
    await waitFor(() => got.length === 2, { what: 'two telemetry events' });
    expect(got[0]).toMatchObject({
      subject: `galileo.telemetry.${node}.cpu`,
      data: { node, metric: 'cpu', subsystem: null, value: 42 },
    });
    expect(got[1]).toMatchObject({ data: { metric: 'tx', subsystem: 'eth0', value: 1.5 } });
    await waitFor(() => ingest.stats().rejected >= 1);
    const dead = (await fx.ctx.redis.xrange(bus.keys.pubsubDeadLetters, '-', '+')) as [string, string[]][];
    expect(dead.map(([, f]) => f.join(' ')).join('\n')).toContain('garbage');
  });
});
