import { Pool, request } from 'undici';
import { createServer } from 'node:http';
const backend = createServer((req, res) => { res.writeHead(200, {'content-type':'text/plain'}); res.end('ok'); });
await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
const host = `127.0.0.1:${(backend.address() as {port:number}).port}`;
const pool = new Pool(`http://${host}`, { connections: 8 });
const N = 200;
let t0 = performance.now();
for (let i = 0; i < N; i++) { const r = await pool.request({ method: 'GET', path: '/', headers: { 'x-a': 'b', host } }); await r.body.text(); }
console.log('pool.request seq', ((performance.now() - t0) / N).toFixed(2), 'ms');
t0 = performance.now();
for (let i = 0; i < N; i++) { const r = await request(`http://${host}/`); await r.body.text(); }
console.log('undici.request seq', ((performance.now() - t0) / N).toFixed(2), 'ms');
await pool.close(); backend.close();
