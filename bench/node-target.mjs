// The fallback target when nginx is not installed: the smallest keep-alive
// HTTP server Node offers, answering every request with the same small body.
// Usage: node bench/node-target.mjs PORT   (listens on 127.0.0.1 only)
import http from 'node:http';

const BODY = Buffer.from('abx bench target\n');
const port = Number(process.argv[2] ?? 0);

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': BODY.length });
  res.end(BODY);
});
// Clients hold their 50 connections for the whole run; never close them for idleness between rounds.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
