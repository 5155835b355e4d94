import { describe, expect, it } from 'vitest';
import { formatGalileoEventLine, parseGalileoEventLine } from './galileo-line.js';
import { parseTelemdMessage } from './galileo-bridges.js';

describe('galileo/events line format', () => {
  it('round-trips JSON and text values', () => {
    const json = {
      timestamp: 1603020000.123,
      name: 'scale_schedule',
      value: { fn: 'resnet', delete: false },
    };
    const line = formatGalileoEventLine(json);
    expect(line).toBe('1603020000.123 scale_schedule {"fn":"resnet","delete":false}');
    expect(parseGalileoEventLine(line)).toEqual(json);
    expect(parseGalileoEventLine('1603020000 experiment_note hello world')).toEqual({
      timestamp: 1603020000,
      name: 'experiment_note',
      value: 'hello world',
    });
    expect(parseGalileoEventLine('1603020000 started')).toEqual({
      timestamp: 1603020000,
      name: 'started',
      value: '',
    });
  });
  it('explains lines it cannot read', () => {
    expect(parseGalileoEventLine('hello')).toHaveProperty('error');
    expect(parseGalileoEventLine('abc name value')).toMatchObject({
      error: expect.stringContaining('unix timestamp'),
    });
  });
});

describe('telemd messages', () => {
  it('reads metric, subsystem with slashes, and the Go agent timestamp', () => {
    expect(parseTelemdMessage('telem/rpi0/cpu', '1603020000.123456789 12.500000')).toEqual({
      node: 'rpi0',
      metric: 'cpu',
      subsystem: null,
      timestamp: Number('1603020000.123456789'),
      value: 12.5,
    });
    expect(parseTelemdMessage('telem/n1/docker_cgrp_net/abc/eth0/rx', '1 2')).toMatchObject({
      metric: 'docker_cgrp_net',
      subsystem: 'abc/eth0/rx',
    });
    expect(parseTelemdMessage('telem/n1/status', '1 true')).toMatchObject({ value: 1 });
  });
  it('rejects malformed ones with a reason', () => {
    expect(parseTelemdMessage('telem/n1', '1 2')).toHaveProperty('error');
    expect(parseTelemdMessage('telem/n1/cpu', 'garbage')).toHaveProperty('error');
    expect(parseTelemdMessage('telem/n1/cpu', '1 abc')).toHaveProperty('error');
  });
});
