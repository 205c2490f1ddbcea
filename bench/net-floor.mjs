// The floor: the cheapest HTTP/1.1 load Node itself can generate, with no
// HTTP library at all. Without -k each request is connect, write a GET with
// "Connection: close", read until the server closes; with -k each connection
// writes a GET, reads one response by its Content-Length, and writes the next.
// No latency histogram, no error classes: anything abx does beyond this is
// its own cost (or undici's). Prints ab's fields so bench/tools.mjs reads it
// like ab.
//
//   node bench/net-floor.mjs [-k] -n REQUESTS -c CONCURRENCY http://127.0.0.1:PORT/path
import net from 'node:net';

const args = process.argv.slice(2);
let keepAlive = false;
let requests = 1000;
let concurrency = 1;
let target = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '-k') keepAlive = true;
  else if (args[i] === '-n') requests = Number(args[++i]);
  else if (args[i] === '-c') concurrency = Number(args[++i]);
  else target = args[i];
}
if (!target || !Number.isInteger(requests) || requests < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error('usage: node bench/net-floor.mjs [-k] -n REQUESTS -c CONCURRENCY http://127.0.0.1:PORT/path');
  process.exit(2);
}
const url = new URL(target);
if (url.protocol !== 'http:') {
  console.error('net-floor: http:// only');
  process.exit(2);
}
const host = url.hostname.replace(/^\[|\]$/g, '');
const port = Number(url.port || 80);
const request = Buffer.from(
  `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: net-floor\r\nAccept: */*\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n`,
  'latin1',
);

let sent = 0;
let completed = 0;
let failed = 0;
let lastEndMs = 0;
const startMs = performance.now();

function done() {
  if (completed + failed < requests) return;
  const seconds = (lastEndMs - startMs) / 1000;
  process.stdout.write(
    `Complete requests:      ${completed}\nFailed requests:        ${failed}\nRequests per second:    ${(completed / seconds).toFixed(2)} [#/sec] (mean)\n`,
  );
}

/** 2xx: "HTTP/1.1 2.." — byte 9 of the status line. */
const is2xx = (buffer) => buffer.length > 9 && buffer[9] === 0x32;

function closeLane() {
  if (sent >= requests) return;
  sent++;
  const socket = net.connect({ host, port, noDelay: true });
  let first = null;
  socket.on('connect', () => socket.write(request));
  socket.on('data', (chunk) => {
    if (first === null) first = chunk;
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    lastEndMs = performance.now();
    if (first !== null && is2xx(first)) completed++;
    else failed++;
    closeLane();
    done();
  });
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;

function keepAliveLane() {
  if (sent >= requests) return;
  const socket = net.connect({ host, port, noDelay: true });
  let pending = Buffer.alloc(0);
  let bodyLeft = -1; // -1: reading headers
  let ok = false;
  let inFlight = false;
  const next = () => {
    if (sent >= requests) {
      socket.end();
      return;
    }
    sent++;
    inFlight = true;
    socket.write(request);
  };
  socket.on('connect', next);
  socket.on('data', (chunk) => {
    let data = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    pending = Buffer.alloc(0);
    for (;;) {
      if (bodyLeft < 0) {
        const end = data.indexOf(HEADER_END);
        if (end < 0) {
          pending = data;
          return;
        }
        const head = data.toString('latin1', 0, end);
        ok = is2xx(data);
        const length = CONTENT_LENGTH.exec(head);
        bodyLeft = length ? Number(length[1]) : 0;
        data = data.subarray(end + 4);
      }
      if (data.length < bodyLeft) {
        bodyLeft -= data.length;
        return;
      }
      data = data.subarray(bodyLeft);
      bodyLeft = -1;
      inFlight = false;
      lastEndMs = performance.now();
      if (ok) completed++;
      else failed++;
      done();
      next();
      if (data.length === 0) return;
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    // A connection lost mid-response: count the request and carry on with a new connection.
    if (inFlight) {
      failed++;
      lastEndMs = performance.now();
      done();
      keepAliveLane();
    }
  });
}

const lanes = Math.min(concurrency, requests);
for (let i = 0; i < lanes; i++) (keepAlive ? keepAliveLane : closeLane)();
