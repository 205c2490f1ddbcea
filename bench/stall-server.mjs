// A local server that stops answering for 1 s every 5 s (responses due in the
// stall are held until it ends), for showing coordinated omission:
//   node bench/stall-server.mjs 8099 &
//   abx --rate 1000 -t 10 -c 2000 -k http://127.0.0.1:8099/
//   abx -t 10 -c 50 -k http://127.0.0.1:8099/
import http from 'node:http';

const port = Number(process.argv[2] ?? 8099);
const CYCLE_MS = 5000;
const STALL_MS = 1000;
const origin = Date.now();

http
  .createServer((_req, res) => {
    const intoCycle = (Date.now() - origin) % CYCLE_MS;
    const stalledFor = intoCycle >= CYCLE_MS - STALL_MS ? CYCLE_MS - intoCycle : 0;
    if (stalledFor === 0) res.end('ok');
    else setTimeout(() => res.end('ok'), stalledFor);
  })
  .listen(port, '127.0.0.1', () => console.error(`stall server on http://127.0.0.1:${port}/ (1 s stall every 5 s)`));
