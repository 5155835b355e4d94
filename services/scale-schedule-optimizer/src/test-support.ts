import {
  createGalileoContext,
  createLatencyGraph,
  nodeInfo,
  podInfo,
  type GalileoContext,
} from '@galileo/context';

export const NOW = 1_700_000_000.5;

/**
 * Two zones: zone-a (gateway node gw-a, worker node-a1 running resnet at 95 % CPU), zone-b
 * (gateway gw-b, an idle worker node-b1). `requests` traces from a zone-b client reach resnet in
 * zone-a with a 500 ms round trip: the pressure from zone-b is far above the threshold.
 */
export function hotContext(requests = 20): GalileoContext {
  const ctx = createGalileoContext({
    clock: () => NOW,
    latencyGraph: createLatencyGraph({ 'gw-a': { 'gw-b': 40, 'node-a1': 10 }, 'gw-b': { 'node-b1': 5 } }),
    updateLatencyFromTraces: false,
  });
  for (const [node, zone] of [
    ['gw-a', 'zone-a'],
    ['node-a1', 'zone-a'],
    ['gw-b', 'zone-b'],
    ['node-b1', 'zone-b'],
  ] as const) {
    ctx.setNodeInfo(nodeInfo(node, { zone, cpus: 1 }));
  }
  ctx.upsertPod(
    podInfo({ name: 'gateway-zone-a', node: 'gw-a', ip: '10.0.0.1', type: 'api-gateway', zone: 'zone-a' }),
  );
  ctx.upsertPod(
    podInfo({ name: 'gateway-zone-b', node: 'gw-b', ip: '10.0.0.2', type: 'api-gateway', zone: 'zone-b' }),
  );
  ctx.upsertPod(
    podInfo({
      name: 'resnet-deployment-aaaaa',
      node: 'node-a1',
      ip: '10.42.0.5',
      fn: 'resnet',
      type: 'fn',
      zone: 'zone-a',
      image: 'edgerun/resnet:1.0',
      cpuRequest: '500m',
      memoryRequest: '200Mi',
    }),
  );
  for (let s = 0; s < 5; s++)
    ctx.recordTelemetry({ node: 'node-a1', metric: 'cpu', subsystem: null, timestamp: NOW - s, value: 95 });
  for (let i = 0; i < requests; i++) {
    const sent = NOW - 10 + i * 0.1;
    ctx.recordTrace({
      request_id: `r${i}`,
      client: 'galileo-worker-zone-b-xxxxx:resnet:1',
      service: 'resnet',
      created: sent,
      sent,
      done: sent + 0.5,
      status: 200,
      server: null,
      exp_id: null,
      headers: JSON.stringify({
        'X-Final-Host': '10.42.0.5:8080',
        'X-Start': String(sent + 0.1),
        'X-End': String(sent + 0.4),
      }),
      response: null,
    });
  }
  return ctx;
}
