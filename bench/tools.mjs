// The load generators compared, each with the same settings (-c 50, a fixed
// request count, or for wrk a duration close to abx's run), in two modes: a
// new connection per request (ab's default, and abx's) and keep-alive (-k).
// A tool that cannot do a mode leaves it out (autocannon only keeps alive).
// and a parser that reads requests, errors and the tool's own requests per
// second from what it prints. Every tool's rate covers its active phase
// (first request to last response), not process start-up.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable } from './measure.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

function numberAfter(text, label) {
  const match = new RegExp(`^\\s*${label}\\s*([0-9.]+)`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}

function must(value, what, stdout) {
  if (value === null || !Number.isFinite(value)) {
    throw new Error(`could not read ${what} from the output:\n${stdout.slice(0, 2000)}`);
  }
  return value;
}

/** ab and abx print the same report (abx reproduces ab 2.4's fields). */
function parseAbReport(stdout) {
  const requests = must(numberAfter(stdout, 'Complete requests:'), '"Complete requests"', stdout);
  const failed = numberAfter(stdout, 'Failed requests:') ?? 0;
  const non2xx = numberAfter(stdout, 'Non-2xx responses:') ?? 0;
  return {
    requests,
    errors: failed + non2xx,
    rps: must(numberAfter(stdout, 'Requests per second:'), '"Requests per second"', stdout),
  };
}

/**
 * @typedef {{ requests: number, concurrency: number, url: string, durationSec: number, keepAlive: boolean }} RunSpec
 * @typedef {{ name: string, command: string | null, missing: string, modes?: Array<'close' | 'keepalive'>,
 *   timeBased?: boolean, argv: (spec: RunSpec) => string[], parse: (stdout: string) => { requests: number, errors: number, rps: number } }} Tool
 */

const k = (keepAlive) => (keepAlive ? ['-k'] : []);

/** @returns {Tool[]} in the order they run within a round (abx first: wrk's duration follows abx's). */
export function tools(abxBin) {
  const autocannonScript = join(repoRoot, 'node_modules', 'autocannon', 'autocannon.js');
  const autocannon = existsSync(autocannonScript) ? autocannonScript : null;
  const netFloor = fileURLToPath(new URL('./net-floor.mjs', import.meta.url));
  return [
    {
      name: 'abx',
      command: existsSync(abxBin) ? process.execPath : null,
      missing: `${abxBin} not found`,
      argv: ({ requests, concurrency, url, keepAlive }) => [
        abxBin,
        ...k(keepAlive),
        '-c',
        String(concurrency),
        '-n',
        String(requests),
        '-q',
        url,
      ],
      parse: parseAbReport,
    },
    {
      // Node's own floor: net sockets and a hand-written GET, no HTTP library (bench/net-floor.mjs).
      name: 'net floor',
      command: process.execPath,
      missing: '',
      argv: ({ requests, concurrency, url, keepAlive }) => [
        netFloor,
        ...k(keepAlive),
        '-c',
        String(concurrency),
        '-n',
        String(requests),
        url,
      ],
      parse: parseAbReport,
    },
    {
      name: 'autocannon',
      modes: ['keepalive'],
      command: autocannon ? process.execPath : null,
      missing: 'node_modules/autocannon missing (npm install)',
      // -L 100: autocannon ends a -a run only at its next sample tick (every
      // 1000 ms by default), so its duration would be padded by up to a second
      // of idle time; sampling every 100 ms bounds that to 100 ms and costs it
      // ten cheap timer ticks a second.
      argv: ({ requests, concurrency, url }) => [autocannon, '-c', String(concurrency), '-a', String(requests), '-L', '100', '--json', url],
      parse(stdout) {
        const json = JSON.parse(stdout.slice(stdout.indexOf('{')));
        const requests = must(json.requests?.total ?? null, 'requests.total', stdout);
        const durationSec = must(json.duration ?? null, 'duration', stdout);
        return { requests, errors: (json.errors ?? 0) + (json.timeouts ?? 0) + (json.non2xx ?? 0), rps: requests / durationSec };
      },
    },
    {
      name: 'ab',
      command: findExecutable('ab'),
      missing: 'ab not installed (apt-get install -y apache2-utils)',
      argv: ({ requests, concurrency, url, keepAlive }) => [...k(keepAlive), '-c', String(concurrency), '-n', String(requests), url],
      parse: parseAbReport,
    },
    {
      name: 'wrk -t1',
      command: findExecutable('wrk'),
      missing: 'wrk not installed (apt-get install -y wrk)',
      timeBased: true,
      // wrk keeps connections alive; "Connection: close" makes it reconnect for every request.
      argv: ({ concurrency, url, durationSec, keepAlive }) => [
        '-t1',
        `-c${concurrency}`,
        `-d${durationSec}s`,
        ...(keepAlive ? [] : ['-H', 'Connection: close']),
        url,
      ],
      parse(stdout) {
        const count = /^\s*(\d+) requests in ([0-9.]+)(ms|s|m)\b/m.exec(stdout);
        const requests = must(count ? Number(count[1]) : null, '"N requests in"', stdout);
        const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
        const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
        const non2xx = numberAfter(stdout, 'Non-2xx or 3xx responses:') ?? 0;
        return { requests, errors: socketErrors + non2xx, rps: must(numberAfter(stdout, 'Requests/sec:'), '"Requests/sec"', stdout) };
      },
    },
    {
      name: 'hey',
      command: findExecutable('hey'),
      missing: 'hey not installed (apt-get install -y hey)',
      // hey keeps connections alive unless -disable-keepalive is given.
      argv: ({ requests, concurrency, url, keepAlive }) => [
        '-n',
        String(requests),
        '-c',
        String(concurrency),
        ...(keepAlive ? [] : ['-disable-keepalive']),
        url,
      ],
      parse(stdout) {
        let ok = 0;
        let other = 0;
        for (const match of stdout.matchAll(/^\s*\[(\d+)\]\s+(\d+) responses/gm)) {
          if (match[1].startsWith('2')) ok += Number(match[2]);
          else other += Number(match[2]);
        }
        let errors = other;
        const errorBlock = /Error distribution:\n([\s\S]*)$/.exec(stdout);
        if (errorBlock) for (const match of errorBlock[1].matchAll(/^\s*\[(\d+)\]/gm)) errors += Number(match[1]);
        return { requests: ok + other, errors, rps: must(numberAfter(stdout, 'Requests/sec:'), '"Requests/sec"', stdout) };
      },
    },
  ];
}
