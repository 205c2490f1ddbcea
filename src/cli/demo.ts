/**
 * `abx demo`: the main job on the embedded default. Starts the lab (a
 * simulated ALB + Auto Scaling group + the AWS APIs, all on loopback), drives
 * load at it while observing the group through the real SDK, and prints the
 * ab report followed by the scaling timeline.
 *
 * The default story, on a 2-core machine in under a minute: 150 requests/s
 * against 2 instances is 2.5× the target per instance, so the high alarm
 * fires, target tracking asks for ceil(2 × 2.5) = 5 instances, and once they
 * are InService requests per target fall back to the target of 60. The
 * in-flight cap is high (1000) so the backlog on two instances never slows
 * the sending: the metric the alarm sees is the load that was offered.
 */
import type { Command } from 'commander';
import { abxVersion } from '../version.js';
import type { RawRunOptions } from './options.js';
import { collect, parseDurationMs } from './parse.js';
import { parseAzOutage } from './az-outage.js';

interface DemoOptions {
  rate: string;
  duration: string;
  concurrency: string;
  period: string;
  json?: boolean;
  out?: string;
  html?: string;
  color?: boolean;
  assert?: string[];
  azOutage?: string[];
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('load + scaling observation against a local simulated ALB and Auto Scaling group (no AWS account needed)')
    .option('--rate <r>', 'requests per second', '150')
    .option('-t, --duration <time>', 'how long to send load', '30s')
    .option('-c, --concurrency <n>', 'in-flight cap', '1000')
    .option('--period <time>', 'one lab period, standing for one CloudWatch minute', '2s')
    .option('--json', 'print the JSON result instead of the text report')
    .option('--out <file>', 'also write the JSON result to this file')
    .option('--html <file>', 'also write the HTML report')
    .option('--assert <expr>', 'as on a run, e.g. "scale-outs>=1" (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--az-outage <zone@+start[/duration]>', 'take a zone down during the demo, e.g. us-east-1a@+8s/12s (repeatable)', collect)
    .option('--no-color', 'no colour in the output')
    .action(async (options: DemoOptions) => {
      process.exitCode = await runDemo(options);
    });
}

async function runDemo(options: DemoOptions): Promise<number> {
  const periodMs = parseDurationMs('--period', options.period, { bareUnit: 's' });
  const azOutages = (options.azOutage ?? []).map(parseAzOutage);
  // Loaded here, not at start-up: `abx --version` must not pay for undici.
  const [{ buildRunSettings }, { executeRun }] = await Promise.all([import('./options.js'), import('./run.js')]);
  // Validate the load flags before starting anything.
  const probe: RawRunOptions = { rate: options.rate, duration: options.duration, concurrency: options.concurrency };
  buildRunSettings('http://127.0.0.1:8080/', probe);

  const { startLab } = await import('../lab/index.js');
  // The demo shows target tracking at work, so its lab starts with the policy in place.
  const lab = await startLab({ port: 0, apiPort: 0, periodMs, withPolicy: true, azOutages });
  // The observer finds the lab through the SDK's own configuration, as it would find AWS.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: lab.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: lab.credentials.secretAccessKey,
    AWS_REGION: lab.region,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  try {
    const raw: RawRunOptions = {
      ...probe,
      keepalive: true,
      asg: lab.asgName,
      endpointUrl: lab.apiUrl,
      region: lab.region,
      pollInterval: '1s',
      // Two more periods after the load, so the last datapoints land.
      linger: `${Math.round((2 * periodMs) / 1000)}s`,
      ...(options.json ? { json: true } : {}),
      ...(options.out ? { out: options.out } : {}),
      ...(options.html ? { html: options.html } : {}),
      ...(options.assert ? { assert: options.assert } : {}),
    };
    const settings = buildRunSettings(lab.url, raw);
    return await executeRun(settings, {
      color: options.color,
      banner:
        `This is abx, Version ${abxVersion()}: demo against the local lab\n` +
        `Lab: ALB ${lab.url}, Auto Scaling group ${lab.asgName}, AWS APIs at ${lab.apiUrl}; ` +
        `one ${periodMs / 1000} s lab period stands for one CloudWatch minute\n\n`,
    });
  } finally {
    await lab.close();
  }
}
