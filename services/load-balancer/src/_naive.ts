import { createServer, request as httpRequest, Agent } from 'node:http';
const agent = new Agent({ keepAlive: true, maxSockets: 128 });
createServer((req, res) => {
  const up = httpRequest({ host: '127.0.0.1', port: 18300, path: '/', agent, headers: req.headers }, (r) => { res.writeHead(r.statusCode!, r.headers); r.pipe(res); });
  up.end();
}).listen(18302, '127.0.0.1', () => console.log('ready'));
setTimeout(() => process.exit(0), 90000);
