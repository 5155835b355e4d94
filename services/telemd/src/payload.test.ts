import { parseGoTelemdTimestamp, parseTelemdMessage } from '@galileo/bus';
import { describe, expect, it } from 'vitest';
import {
  formatGoTelemdTimestamp,
  formatTelemdPayload,
  formatTelemdTimestamp,
  telemdChannel,
} from './payload.js';

const ns = (s: number, frac: number) => BigInt(s) * 1_000_000_000n + BigInt(frac);

describe('telemd payload', () => {
  it('is "<seconds>.<nine digits> <value %f>" on telem/<node>/<topic>', () => {
    expect(telemdChannel('rpi0', 'tx/eth0')).toBe('telem/rpi0/tx/eth0');
    expect(formatTelemdPayload(ns(1603020000, 5_000_000), 12.5)).toBe('1603020000.005000000 12.500000');
    expect(formatTelemdTimestamp(ns(1603020000, 0))).toBe('1603020000.000000000');
  });

  it('prints the Go agent timestamp quirk: nanoseconds without padding', () => {
    // 5 ms past the second: Go prints ".5000000", which a float reader takes for half a second.
    expect(formatGoTelemdTimestamp(ns(1603020000, 5_000_000))).toBe('1603020000.5000000');
    expect(formatGoTelemdTimestamp(ns(1603020000, 123_456_789))).toBe('1603020000.123456789');
  });
});

describe('consumers read both agents', () => {
  it('parses Go timestamps in go style to the right instant', () => {
    expect(parseGoTelemdTimestamp('1603020000.5000000')).toBeCloseTo(1603020000.005, 6);
    expect(parseGoTelemdTimestamp('1603020000.123456789')).toBeCloseTo(1603020000.123457, 6);
    expect(parseGoTelemdTimestamp('1603020000.0')).toBe(1603020000);
  });

  it('reads our timestamps to the same instant in float and go style', () => {
    const text = formatTelemdTimestamp(ns(1603020000, 5_000_000));
    expect(Number(text)).toBeCloseTo(1603020000.005, 6);
    expect(parseGoTelemdTimestamp(text)).toBeCloseTo(1603020000.005, 6);
  });

  it('parses a Go telemd message (channel, odd timestamp, %f value) in both styles', () => {
    const go = `${formatGoTelemdTimestamp(ns(1603020000, 42_000_000))} 37.250000`;
    const asFloat = parseTelemdMessage('telem/n1/docker_cgrp_net/abc123/eth0/rx', go);
    expect(asFloat).toMatchObject({
      node: 'n1',
      metric: 'docker_cgrp_net',
      subsystem: 'abc123/eth0/rx',
      value: 37.25,
    });
    // galileo's float reading: the whole second is right, the fraction is Go's garbage (0.42)
    expect(Math.floor((asFloat as { timestamp: number }).timestamp)).toBe(1603020000);
    const asGo = parseTelemdMessage('telem/n1/cpu', go, 'go') as { timestamp: number };
    expect(asGo.timestamp).toBeCloseTo(1603020000.042, 6);
    expect(parseTelemdMessage('telem/n1/status', '1603020000.1 true')).toMatchObject({ value: 1 });
    expect(parseTelemdMessage('telem/n1/cpu', 'garbage')).toHaveProperty('error');
  });
});
