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
 *
 * By default the load is a ramp (DEMO_STAGES: up, hold, down), so the
 * timeline tells the whole story: scale-out during the climb and, since the
 * observer lingers long enough for the low alarm's periods, the first
 * scale-in after the ramp-down. --rate or -t gives a constant rate instead.
 */
import type { CommandUnknownOpts as Command } from '@commander-js/extra-typings';
import { LAB_DEFAULTS } from '../lab/defaults.js';
import { abxVersion } from '../version.js';
import type { RawRunOptions } from './options.js';
import { collect, parseDurationMs } from './parse.js';
import { parseAzOutage } from './az-outage.js';
import { outputFlags } from './run-flags.js';
import { wrapBlock, terminalWidth } from '../report/width.js';

/** The demo's first lines: what runs where, wrapped to the terminal. */
export function demoBanner(lab: { url: string; asgName: string; apiUrl: string }, periodMs: number, width: number): string {
  const lines = [
    `This is abx, Version ${abxVersion()}: demo against the local lab`,
    `Lab: ALB ${lab.url}, Auto Scaling group ${lab.asgName}`,
    `     AWS APIs at ${lab.apiUrl}`,
    `     one ${periodMs / 1000} s lab period stands for one CloudWatch minute`,
  ];
  return `${wrapBlock(lines, width, 5).join('\n')}\n\n`;
}

/** The default shape: up to 2.5× the target of two instances, hold while the group scales out, then down. */
const DEMO_STAGES = ['10s:150', '12s:150', '8s:0'] as const;

export function registerDemoCommand(program: Command): void {
  declareDemoCommand(program);
}

function declareDemoCommand(program: Command) {
  return program
    .command('demo')
    .description('load + scaling observation against a local simulated ALB and Auto Scaling group (no AWS account needed)')
    .option('--rate <r>', 'a constant rate instead of the default ramp (0→150/s over 10 s, 12 s hold, down to 0 over 8 s)')
    .option('-t, --duration <time>', 'how long to send a constant rate (default 30s)')
    .option('-c, --concurrency <n>', 'in-flight cap', '1000')
    .option('--period <time>', 'one lab period, standing for one CloudWatch minute', '2s')
    .addOption(outputFlags.json())
    .addOption(outputFlags.out())
    .addOption(outputFlags.html())
    .addOption(outputFlags.assert('as on a run, e.g. "scale-outs>=1" (repeatable)'))
    .option('--az-outage <zone@+start[/duration]>', 'take a zone down during the demo, e.g. us-east-1a@+8s/12s (repeatable)', collect)
    .addOption(outputFlags.noColor())
    .action(async (options) => {
      process.exitCode = await runDemo(options);
    });
}

type DemoOptions = ReturnType<ReturnType<typeof declareDemoCommand>['opts']>;

async function runDemo(options: DemoOptions): Promise<number> {
  const periodMs = parseDurationMs('--period', options.period, { bareUnit: 's' });
  const azOutages = (options.azOutage ?? []).map(parseAzOutage);
  // Loaded here, not at start-up: `abx --version` must not pay for undici.
  const [{ buildRunSettings }, { executeRun }] = await Promise.all([import('./options.js'), import('./run.js')]);
  // Validate the load flags before starting anything.
  const ramp = options.rate === undefined && options.duration === undefined;
  const probe: RawRunOptions = ramp
    ? { stage: [...DEMO_STAGES], concurrency: options.concurrency }
    : { rate: options.rate ?? '150', duration: options.duration ?? '30s', concurrency: options.concurrency };
  buildRunSettings('http://127.0.0.1:8080/', probe);
  // The ramp lingers until the low alarm can have fired after the ramp-down (at most 30 s); a constant rate two periods.
  const lingerPeriods = ramp ? LAB_DEFAULTS.lowEvaluationPeriods + 2 : 2;
  const lingerMs = ramp ? Math.min(30_000, lingerPeriods * periodMs) : lingerPeriods * periodMs;

  const { startLab } = await import('../library.js');
  // The demo shows target tracking at work, so its lab starts with the policy in place.
  const lab = await startLab({ port: 0, apiPort: 0, periodMs, withPolicy: true, azOutages });
  try {
    const raw: RawRunOptions = {
      ...probe,
      keepalive: true,
      asg: lab.asgName,
      endpointUrl: lab.apiUrl,
      region: lab.region,
      pollInterval: '1s',
      // More periods after the load, so the last datapoints (and, after a ramp, the scale-in) land.
      linger: `${Math.round(lingerMs)}ms`,
      ...(options.json ? { json: true } : {}),
      ...(options.out ? { out: options.out } : {}),
      ...(options.html ? { html: options.html } : {}),
      ...(options.assert ? { assert: options.assert } : {}),
    };
    const settings = buildRunSettings(lab.url, raw);
    // The observer reaches the lab through the real SDK, with the lab's fake
    // credentials passed explicitly: nothing in the environment changes.
    settings.observe.credentials = lab.credentials;
    return await executeRun(settings, {
      color: options.color,
      banner: demoBanner(lab, periodMs, terminalWidth(process.stdout, process.env)),
    });
  } finally {
    await lab.close();
  }
}
