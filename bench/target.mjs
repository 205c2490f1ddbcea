// Starts the server every tool is measured against, in its own process pinned
// to one CPU: nginx (one worker, static file, access log off) when installed,
// else bench/node-target.mjs. Listens on 127.0.0.1 only.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable, pinned } from './measure.mjs';

export const BODY = 'abx bench target\n';

/** A free loopback port: bound, read and released (nginx needs a number in its config). */
async function freePort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`target exited with code ${child.exitCode} before listening`);
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`target did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function nginxConfig(dir, port) {
  // keepalive_requests: nginx closes a keep-alive connection after 1000 requests
  // by default; with 200,000 requests over 50 connections that would measure
  // reconnects, which is not what -k is about, so connections live for the run.
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path ${dir}/tmp;
  proxy_temp_path ${dir}/tmp;
  fastcgi_temp_path ${dir}/tmp;
  uwsgi_temp_path ${dir}/tmp;
  scgi_temp_path ${dir}/tmp;
  default_type text/plain;
  server {
    listen 127.0.0.1:${port};
    location / { root ${dir}/www; index index.html; }
  }
}
`;
}

/**
 * @param {{ cpu: number | null, kind: 'auto' | 'nginx' | 'node' }} options
 * @returns {Promise<{ kind: string, url: string, description: string, stop: () => Promise<void> }>}
 */
export async function startTarget({ cpu, kind }) {
  const port = await freePort();
  const nginx = kind === 'node' ? null : findExecutable('nginx');
  if (kind === 'nginx' && !nginx) throw new Error('BENCH_TARGET=nginx but nginx is not installed (apt-get install -y nginx)');
  let child;
  let dir = null;
  let description;
  if (nginx) {
    dir = mkdtempSync(join(tmpdir(), 'abx-bench-nginx-'));
    mkdirSync(join(dir, 'www'));
    mkdirSync(join(dir, 'tmp'));
    writeFileSync(join(dir, 'www', 'index.html'), BODY);
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port));
    // Run as root, nginx's worker drops to "nobody", which must be able to read the file.
    for (const path of [dir, join(dir, 'www')]) chmodSync(path, 0o755);
    chmodSync(join(dir, 'www', 'index.html'), 0o644);
    const [cmd, args] = pinned(cpu, nginx, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')]);
    child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    description = `nginx (${BODY.length}-byte static file, 1 worker, access_log off)`;
  } else {
    const script = fileURLToPath(new URL('./node-target.mjs', import.meta.url));
    const [cmd, args] = pinned(cpu, process.execPath, [script, String(port)]);
    child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    description = `Node ${process.version} http server (${BODY.length}-byte body; nginx not installed)`;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await waitForPort(port, child, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    kind: nginx ? 'nginx' : 'node',
    url: `http://127.0.0.1:${port}/`,
    description: cpu === null ? description : `${description}, pinned to CPU ${cpu}`,
    async stop() {
      if (child.exitCode === null) {
        // nginx: SIGQUIT is a graceful stop; SIGTERM is a fast one (what we want). Node target: SIGTERM.
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
