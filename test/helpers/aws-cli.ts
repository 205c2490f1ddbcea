/**
 * Debian's AWS CLI (v2.9, which speaks the Query protocol to CloudWatch)
 * against a loopback endpoint, with fake credentials and an empty home, so
 * no profile or config of the machine's user leaks in. CI installs the CLI
 * (.ci/run): there its absence is a failure; elsewhere the tests that need
 * it are skipped.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Debian's package puts the CLI in /usr/bin; ABX_TEST_AWS_CLI names another. */
export function findAwsCli(): string | undefined {
  if (process.env.ABX_TEST_AWS_CLI) return process.env.ABX_TEST_AWS_CLI;
  if (existsSync('/usr/bin/aws')) return '/usr/bin/aws';
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, 'aws'))) return join(dir, 'aws');
  return undefined;
}

export const AWS_CLI = findAwsCli();

/** Run the tests that need the CLI: it is installed, or this is CI (where a missing one must fail, not skip). */
export const RUN_AWS_CLI_TESTS = Boolean(AWS_CLI || process.env.CI);

/** The environment every CLI call runs in: fake credentials only, a home of its own. */
export function awsCliEnv(home = mkdtempSync(join(tmpdir(), 'abx-aws-cli-')), region = 'us-east-1'): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    AWS_ACCESS_KEY_ID: 'AKIDTESTFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests',
    AWS_DEFAULT_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
  };
}

/** Runs `aws <args> --endpoint-url <endpoint> --output json` and parses its output. */
export function awsCli(endpoint: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(
      AWS_CLI!,
      [...args, '--endpoint-url', endpoint, '--output', 'json'],
      { env, timeout: 60_000, maxBuffer: 4 << 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`aws ${args.slice(0, 2).join(' ')} failed: ${stderr || error.message}`));
        resolve(stdout.trim() === '' ? {} : JSON.parse(stdout));
      },
    );
  });
}

/**
 * Runs shell text as a user pasting it would, in bash, with `aws` pointing at
 * `endpoint` (the lab's): the text is exactly what abx printed.
 */
export function pasteIntoShell(
  endpoint: string,
  env: NodeJS.ProcessEnv,
  text: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const prelude = `set -e\naws() { ${JSON.stringify(AWS_CLI!)} "$@" --endpoint-url ${JSON.stringify(endpoint)} --output json; }\n`;
  return new Promise((resolve) => {
    execFile('/bin/bash', ['-c', `${prelude}${text}\n`], { env, timeout: 120_000, maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
