import type { TraceRecord } from '@galileo/db';
import { describe, expect, it } from 'vitest';
import { computeReport } from './compute-report.js';
import { percentileOfSorted, summarize } from './percentiles.js';
import { renderReportHtml } from './render-html.js';
import { renderComparisonText, renderReportText } from './render-text.js';

const trace = (i: number, over: Partial<TraceRecord> = {}): TraceRecord => ({
  requestId: `r:${i}`,
  client: 'c',
  service: 'svc',
  created: 100 + i,
  sent: 100 + i + 0.01,
  done: 100 + i + 0.05,
  status: 200,
  server: null,
  experimentId: 'e',
  headers: null,
  response: null,
  ...over,
});
const experiment = {
  id: 'e',
  name: 'e',
  creator: null,
  start: 100,
  end: 110,
  created: 99,
  status: 'FINISHED',
};

describe('percentiles', () => {
  it('are nearest-rank', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentileOfSorted(sorted, 50)).toBe(5);
    expect(percentileOfSorted(sorted, 90)).toBe(9);
    expect(percentileOfSorted(sorted, 99)).toBe(10);
    expect(percentileOfSorted([7], 1)).toBe(7);
    expect(summarize([])).toBeNull();
    expect(summarize([3, 1, 2])).toEqual({ count: 3, mean: 2, p50: 2, p90: 3, p99: 3, max: 3 });
  });
});

describe('computeReport', () => {
  it('counts requests, failures by status and latency from the intended send time', () => {
    const traces = [
      trace(0),
      trace(1, { status: 500, done: 101.5 }),
      trace(2, { status: -1, sent: -1 }),
      trace(3, { status: 302 }),
    ];
    const r = computeReport({ experiment, traces, telemetry: [], events: [] });
    expect(r.requests).toEqual({
      total: 4,
      succeeded: 1,
      failed: 3,
      byStatus: { '200': 1, '500': 1, '-1': 1, '302': 1 },
    });
    expect(r.latencyMs?.max).toBeCloseTo(500, 6); // done − created, not done − sent
    expect(r.throughput.requestsPerSecond).toBeCloseTo(0.4, 9);
    expect(r.timeline.bucketS).toBe(1);
    expect(r.timeline.requests.slice(0, 4)).toEqual([1, 1, 1, 1]);
    expect(r.timeline.errors.slice(0, 4)).toEqual([0, 1, 1, 1]);
  });

  it('summarizes CPU and memory per node and folds replicas per zone from pod events', () => {
    const r = computeReport({
      experiment,
      traces: [],
      telemetry: [
        { experimentId: 'e', timestamp: 101, metric: 'cpu', node: 'n1', value: 10, subsystem: null },
        { experimentId: 'e', timestamp: 102, metric: 'cpu', node: 'n1', value: 30, subsystem: null },
        { experimentId: 'e', timestamp: 102, metric: 'cpu', node: 'n1', value: 99, subsystem: 'core0' },
        { experimentId: 'e', timestamp: 101, metric: 'ram', node: 'n1', value: 2048, subsystem: null },
      ],
      events: [
        {
          experimentId: 'e',
          timestamp: 103,
          name: 'scale_schedule',
          value: JSON.stringify({
            pod: { pod_name: 'p1', labels: { 'ether.edgerun.io/zone': 'z1' } },
            delete: false,
          }),
        },
        {
          experimentId: 'e',
          timestamp: 104,
          name: 'pod/running',
          value: JSON.stringify({ name: 'p2', labels: { 'ether.edgerun.io/zone': 'z1' } }),
        },
        {
          experimentId: 'e',
          timestamp: 105,
          name: 'scale_schedule',
          value: JSON.stringify({
            pod: { pod_name: 'p1', labels: { 'ether.edgerun.io/zone': 'z1' } },
            delete: true,
          }),
        },
        { experimentId: 'e', timestamp: 106, name: 'api_pressure', value: '{"mean": 1}' },
        { experimentId: 'e', timestamp: 107, name: 'note', value: 'plain text' },
      ],
    });
    expect(r.nodes).toEqual([
      {
        node: 'n1',
        cpuPercent: expect.objectContaining({ mean: 20, max: 30 }),
        memoryKb: expect.objectContaining({ max: 2048 }),
        cpus: null,
        ramKb: null,
      },
    ]);
    expect(r.replicasTimeline).toEqual({
      z1: [
        [3, 1],
        [4, 2],
        [5, 1],
      ],
    });
    expect(r.pressure.map((p) => p.name)).toEqual(['api_pressure']);
    expect(r.scaling).toHaveLength(3);
    expect(r.markers.at(-1)?.value).toBe('plain text');
    expect(renderReportText(r)).toMatch(/n1 +20\.0 % +30\.0 %/);
    const html = renderReportHtml(r);
    expect(html).toContain('id="chart-replicas"');
    expect(html.match(/class="marker"/g)).toHaveLength(5 * 4);
    expect(html).not.toMatch(/<script/);
  });

  it('reports an experiment without rows without dividing by zero', () => {
    const r = computeReport({
      experiment: { ...experiment, start: null, end: null },
      traces: [],
      telemetry: [],
      events: [],
    });
    expect(r.requests.total).toBe(0);
    expect(r.latencyMs).toBeNull();
    expect(r.throughput.requestsPerSecond).toBeNull();
    expect(renderReportText(r)).toContain('no requests');
    expect(renderComparisonText(r, r)).toMatch(/requests +0\.00 +0\.00 +-/);
    expect(renderReportHtml(r)).toContain('no data');
  });
});
