// Runs ab 2.4 and abx side by side against one local server and prints the
// fields both report, so their accounting can be compared line by line.
// Usage: node bench/ab-parity.mjs   (needs `apt-get install apache2-utils` and `npm run build`)
import { execFileSync } from 'node:child_process';
import http from 'node:http';

const FIELDS = [
  'Document Length',
  'Complete requests',
  'Failed requests',
  '   (Connect',
  'Non-2xx responses',
  'Keep-Alive requests',
  'HTML transferred',
];

// Every 10th request answers 404; every 7th has a longer body (a Length failure for ab's rule).
const server = http.createServer((_req, res) => {
  const i = (server.count = (server.count ?? 0) + 1);
  res.statusCode = i % 10 === 0 ? 404 : 200;
  res.setHeader('Server', 'parity/1.0');
  res.end(i % 7 === 0 ? 'a longer body!' : 'short body');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

function fields(output) {
  const out = {};
  for (const line of output.split('\n')) {
    const key = FIELDS.find((f) => line.startsWith(f));
    if (key) out[key.trim()] = line.slice(line.indexOf(':') + 1).trim();
  }
  return out;
}

for (const args of [
  ['-n', '7000', '-c', '50'],
  ['-k', '-n', '7000', '-c', '50'],
]) {
  const run = async (cmd, argv) => {
    server.count = 0;
    const { spawn } = await import('node:child_process');
    return new Promise((resolve) => {
      const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'ignore'] });
      let text = '';
      child.stdout.on('data', (c) => (text += c));
      child.on('close', () => resolve(fields(text)));
    });
  };
  const ab = await run('ab', [...args, url]);
  const abx = await run(process.execPath, ['bin/abx.js', ...args, url]);
  console.log(`\n$ ab ${args.join(' ')} URL   vs   abx ${args.join(' ')} URL`);
  for (const key of new Set([...Object.keys(ab), ...Object.keys(abx)])) {
    const same = ab[key] === abx[key] ? 'same' : 'DIFFERENT';
    console.log(`${key.padEnd(22)} ab: ${String(ab[key]).padEnd(44)} abx: ${String(abx[key]).padEnd(44)} ${same}`);
  }
}
server.close();
void execFileSync;
