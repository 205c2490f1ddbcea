/**
 * The lab's ECS "container": what a task's process inherits (only PATH and
 * HOME from the lab, never NODE_OPTIONS or the developer's AWS settings), in
 * which order variables win, and how much of its output is kept.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { ABX_BIN, OUTPUT_TAIL_BYTES, OutputTail, signalExitCode, taskEnvironment } from '../../src/lab/ecs-container.js';

const endpoint = {
  apiUrl: 'http://127.0.0.1:4566',
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDLAB', secretAccessKey: 'lab-secret' },
};

describe('taskEnvironment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it("takes only PATH and HOME from the lab's process, then the lab's endpoint and credentials", () => {
    process.env.NODE_OPTIONS = '--inspect';
    process.env.AWS_PROFILE = 'production';
    process.env.AWS_SESSION_TOKEN = 'real-session';
    process.env.ABX_SHARD_INDEX = '7';
    const env = taskEnvironment(endpoint);
    expect(env).toEqual({
      ...(process.env.PATH !== undefined ? { PATH: process.env.PATH } : {}),
      ...(process.env.HOME !== undefined ? { HOME: process.env.HOME } : {}),
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDLAB',
      AWS_SECRET_ACCESS_KEY: 'lab-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      NO_COLOR: '1',
    });
  });

  it("the container definition's variables override the lab's, and the override's win over both", () => {
    const env = taskEnvironment(
      endpoint,
      [
        { name: 'ABX_SHARD_INDEX', value: '0' },
        { name: 'AWS_REGION', value: 'us-west-2' },
      ],
      [{ name: 'ABX_SHARD_INDEX', value: '3' }, { name: 'EMPTY' }],
    );
    expect(env.ABX_SHARD_INDEX).toBe('3');
    expect(env.AWS_REGION).toBe('us-west-2');
    expect(env.AWS_DEFAULT_REGION).toBe('eu-west-1');
    expect(env.EMPTY).toBe('');
  });
});

describe('OutputTail', () => {
  it('keeps everything up to the limit, then only the last bytes', () => {
    const tail = new OutputTail(10);
    tail.push(Buffer.from('hello '));
    expect(tail.text()).toBe('hello ');
    tail.push(Buffer.from('world, '));
    tail.push(Buffer.from('and more'));
    expect(tail.text()).toBe(', and more');
    for (let i = 0; i < 100; i++) tail.push(Buffer.from(`line ${i}\n`));
    expect(tail.text()).toBe('8\nline 99\n');
  });

  it('defaults to 64 KiB', () => {
    const tail = new OutputTail();
    tail.push(Buffer.alloc(OUTPUT_TAIL_BYTES + 5, 'a'));
    tail.push(Buffer.from('end'));
    const text = tail.text();
    expect(text).toHaveLength(OUTPUT_TAIL_BYTES);
    expect(text.endsWith('aend')).toBe(true);
  });
});

describe('the container process', () => {
  it("is this checkout's bin/abx.js", () => {
    expect(ABX_BIN).toMatch(/[/\\]bin[/\\]abx\.js$/);
    expect(existsSync(ABX_BIN)).toBe(true);
  });

  it('a process a signal ended exits with 128 + the signal number, as container runtimes report it', () => {
    expect(signalExitCode('SIGKILL')).toBe(137);
    expect(signalExitCode('SIGTERM')).toBe(143);
    expect(signalExitCode(null)).toBeUndefined();
  });
});
