import { createBus, type PublishItem } from '@galileo/bus';
import { galileoCatalogue, galileoSubjects, type GalileoCatalogue } from '@galileo/events';
import { createLogger } from '@galileo/logging';
import { createRecorder, loadRecorderConfig } from '@galileo/recorder';
import { deleteKeysWithPrefix, testPrefix } from '@galileo/testing';
import { createInfluxWriter } from '@galileo/timeseries';
import { Redis } from 'ioredis';
const prefix = testPrefix('prof');
const redis = new Redis({ maxRetriesPerRequest: null });
const bus = createBus({ redis, catalogue: galileoCatalogue, source: 'p', prefix, trimIntervalMs: 0 });
const N = 40000;
const base = Date.now() / 1000 - 100;
for (let i = 0; i < N; i += 1000) {
  const items: PublishItem<GalileoCatalogue>[] = [];
  for (let k = i; k < i + 1000; k++) items.push({ subject: galileoSubjects.traces('svc'), draft: { type: 'TraceRecorded', data: { request_id: `p:${k}`, client: 'c', service: 'svc', created: base + k * 0.001, sent: base + k * 0.001, done: base + k * 0.001 + 0.01, status: 200, server: 'h:1', exp_id: 'prof', headers: '{"Content-Type": "application/json", "X-Start": "1"}', response: '{"ok": true}' } } });
  await bus.publishBatch(items);
}
const loaded = loadRecorderConfig({ galileo_redis_key_prefix: prefix, galileo_expdb_driver: 'influxdb', galileo_expdb_influxdb_url: 'http://127.0.0.1:8428', galileo_expdb_influxdb_bucket: 'b', galileo_recorder_ingest_pubsub: 'false' });
if (!loaded.ok) throw loaded.error;
const influx = createInfluxWriter(loaded.value.influx);
const r = createRecorder({ bus, redis, db: null, influx, config: loaded.value, logger: createLogger({ service: 'p', level: 'warn' }) });
const t0 = performance.now();
await r.start();
while (r.stats().stored.influx!.traces < N) await new Promise((res) => setTimeout(res, 10));
console.log('traces/s', Math.round(N / ((performance.now() - t0) / 1000)));
await r.stop(); await bus.close(); await influx.close();
await deleteKeysWithPrefix(redis, prefix); redis.disconnect();
