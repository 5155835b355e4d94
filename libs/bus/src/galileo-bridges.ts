import { encodeToken, galileoSubjects, type GalileoCatalogue } from '@galileo/events';
import type { Bus } from './bus.js';
import { formatGalileoEventLine, parseGalileoEventLine } from './galileo-line.js';
import { ingestFromPubSub, mirrorToPubSub, pubsubSource, type Ingest } from './pubsub-bridge.js';
import type { Subscription } from './types.js';

export const GALILEO_EVENTS_CHANNEL = 'galileo/events';
export const TELEMD_CHANNEL_PATTERN = 'telem/*';

/** Mirrors `galileo.events.>` onto `galileo/events` as `"<unix ts> <name> <value>"` lines. */
export function mirrorGalileoEvents(
  bus: Bus<GalileoCatalogue>,
  group = 'mirror-galileo-events',
): Promise<Subscription> {
  return mirrorToPubSub(bus, {
    pattern: 'galileo.events.>',
    channel: GALILEO_EVENTS_CHANNEL,
    group,
    format: (event) => (event.type === 'GalileoEvent' ? formatGalileoEventLine(event.data) : null),
  });
}

/** Ingests `galileo/events` lines (from Python galileo, the optimizers, …) as GalileoEvents. */
export function ingestGalileoEvents(bus: Bus<GalileoCatalogue>): Promise<Ingest> {
  return ingestFromPubSub(bus, {
    channel: GALILEO_EVENTS_CHANNEL,
    toEvent: (_channel, message) => {
      const line = parseGalileoEventLine(message);
      if ('error' in line) return line;
      return { subject: galileoSubjects.events(line.name), draft: { type: 'GalileoEvent', data: line } };
    },
  });
}

/**
 * Parses a telemd message: channel `telem/<node>/<metric>[/<subsystem…>]`, payload
 * `"<ts> <value>"`. The Go agent's timestamp (`sec.(nanos mod sec)`) is read as a float, as
 * galileo does; a `status` metric may be `true`/`false`.
 */
export function parseTelemdMessage(
  channel: string,
  message: string,
  timestamps: TelemdTimestampStyle = 'float',
):
  | { node: string; metric: string; subsystem: string | null; timestamp: number; value: number }
  | { error: string } {
  const parts = channel.split('/');
  if (parts.length < 3 || parts[0] !== 'telem' || !parts[1] || !parts[2]) {
    return {
      error: `expected a channel telem/<node>/<metric>[/<subsystem>], got ${JSON.stringify(channel)}`,
    };
  }
  const space = message.indexOf(' ');
  if (space <= 0)
    return {
      error: `expected "<timestamp> <value>" on ${channel}, got ${JSON.stringify(message.slice(0, 80))}`,
    };
  const timestamp =
    timestamps === 'go' ? parseGoTelemdTimestamp(message.slice(0, space)) : Number(message.slice(0, space));
  const rawValue = message.slice(space + 1).trim();
  let value = Number(rawValue);
  if (!Number.isFinite(value) && parts[2] === 'status') value = rawValue === 'true' ? 1 : 0;
  if (!Number.isFinite(timestamp) || !Number.isFinite(value)) {
    return {
      error: `expected numeric "<timestamp> <value>" on ${channel}, got ${JSON.stringify(message.slice(0, 80))}`,
    };
  }
  return {
    node: parts[1],
    metric: parts[2],
    subsystem: parts.length > 3 ? parts.slice(3).join('/') : null,
    timestamp,
    value,
  };
}

/**
 * How to read a telemd timestamp. `float` (galileo's way) reads it as a decimal number. `go` undoes
 * the Go agent's quirk: it prints `"%d.%d"` of (seconds, UnixNano mod seconds), i.e. the
 * nanoseconds *without zero padding* (5 ms → `…0.5000000`), so `float` is off by up to a second.
 * The TypeScript agent prints nine zero-padded digits, which both styles read correctly.
 */
export type TelemdTimestampStyle = 'float' | 'go';

/** Reads a Go telemd timestamp `<seconds>.<nanoseconds, unpadded>`; anything else as a float. */
export function parseGoTelemdTimestamp(text: string): number {
  const m = /^(\d+)\.(\d{1,9})$/.exec(text);
  if (!m) return Number(text);
  return Number(m[1]) + Number(m[2]) / 1e9;
}

/** Bridges telemd's pub/sub telemetry (Go or TypeScript agent) into `galileo.telemetry.<node>.<metric>`. */
export function ingestTelemd(
  bus: Bus<GalileoCatalogue>,
  options: { timestamps?: TelemdTimestampStyle } = {},
): Promise<Ingest> {
  return ingestFromPubSub(bus, {
    channel: TELEMD_CHANNEL_PATTERN,
    // The TypeScript agent marks its lines (it puts them on the bus itself) from its first reading on.
    checkEveryMessage: true,
    toEvent: (channel, message) => {
      const reading = parseTelemdMessage(channel, message, options.timestamps);
      if ('error' in reading) return reading;
      return {
        subject: galileoSubjects.telemetry(reading.node, reading.metric),
        draft: { type: 'TelemetryReported', data: reading },
      };
    },
  });
}

export { encodeToken, pubsubSource };
