/**
 * The main command: wires flags → engine (+ observer) → Result → reporters,
 * and owns process I/O, signals and the exit code.
 */
import { ConfigError, EXIT } from '../errors.js';
import { observe, runPlannedLoad, type LoadProgress, type ObserveOptions } from '../library.js';
import { renderPercentileCsv } from '../report/ab-text.js';
import { openGnuplotFile, type GnuplotFileStatus } from '../report/gnuplot-file.js';
import { nothingCompletedReason } from '../report/nothing-completed.js';
import { explainError } from '../report/error-hint.js';
import { renderTextReport } from '../report/text.js';
import { colorEnabled, painter, type Paint } from '../report/style.js';
import { fitLine, terminalWidth, wrapLine } from '../report/width.js';
import { decodeHistogram } from '../stats/histogram.js';
import type { ObservationEvent, Result } from '../stats/result.js';
import { evaluateAssertions } from '../stats/thresholds.js';
import { abxVersion } from '../version.js';
import { appendStepSummary } from './ci-summary.js';
import { buildRunSettings, type RawRunOptions, type RunSettings } from './options.js';
import { startProgress, type ProgressSink } from './progress.js';
import { requestEcho, responseEcho } from './request-echo.js';
import { writeFileAtomic } from './result-file.js';
import { checkS3Writable, isS3Url, putS3Text, type S3Settings } from './s3-results.js';

/** How often the load reports its counts: the progress line redraws every 250 ms, ab's "Completed N" marks are checked every 100 ms. */
const PROGRESS_INTERVAL_MS = 100;

/** After Ctrl-C the load has this long to hand back what it measured before abx exits without it. */
const INTERRUPT_GRACE_MS = 500;

/** Default linger after the load when observing: long enough for one more metric period to land. */
const DEFAULT_LINGER_MS = 60_000;

export async function runCommand(rawUrl: string | undefined, raw: RawRunOptions): Promise<number> {
  const settings = buildRunSettings(rawUrl, raw);
  if (raw.check) await printChecksBeforeRun(settings);
  return executeRun(settings, { color: raw.color });
}

/**
 * --check: `abx check` on the observed group before the load, printed above
 * the report (on stderr with --json, which keeps stdout one JSON document).
 * Its verdict does not change the run's exit code, and a read that fails is
 * a warning: the check never stops the load.
 */
async function printChecksBeforeRun(settings: RunSettings): Promise<void> {
  const o = settings.observe;
  if (!o.observing) throw new ConfigError('--check needs the group to check: --asg NAME, --target-group ARN or an ALB URL');
  const { runCheck } = await import('./check.js');
  const write = (text: string): void => void (settings.output.json ? process.stderr : process.stdout).write(text);
  try {
    await runCheck(
      settings.load.url.toString(),
      {
        ...(o.asg !== undefined ? { asg: o.asg } : {}),
        ...(o.targetGroupArn !== undefined ? { targetGroup: o.targetGroupArn } : {}),
        ...(o.region !== undefined ? { region: o.region } : {}),
        ...(o.profile !== undefined ? { profile: o.profile } : {}),
        ...(o.endpointUrl !== undefined ? { endpointUrl: o.endpointUrl } : {}),
      },
      {
        out: write,
        err: (text) => void process.stderr.write(text),
        ...(o.credentials !== undefined ? { credentials: o.credentials } : {}),
      },
    );
  } catch (error) {
    process.stderr.write(`abx: warning: --check: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  write('\n');
}

export interface RunHooks {
  color?: boolean | undefined;
  /** Text printed before the report (demo's headline). */
  banner?: string;
}

export async function executeRun(settings: RunSettings, hooks: RunHooks = {}): Promise<number> {
  const { output, load } = settings;
  const stdout = process.stdout;
  const stderr = process.stderr;
  const color = colorEnabled(stdout, hooks.color, process.env);
  // stderr carries the live lines (progress, events, warnings): its own colour and width.
  const errPaint = painter({ color: colorEnabled(stderr, hooks.color, process.env) });
  const errWidth = (): number => terminalWidth(stderr, process.env);
  const host = load.url.hostname;

  // Everything written after the load is checked before it: a bucket that is not there must not cost the whole run.
  if (output.outPath && isS3Url(output.outPath)) {
    await checkS3Writable(output.outPath, s3SettingsOf(settings), (message) => stderr.write(`abx: warning: ${message}\n`));
  }
  if (!output.json) {
    stdout.write(hooks.banner ?? `This is abx, Version ${abxVersion()} (ApacheBench 2.3 compatible report)\n\n`);
    stdout.write(output.quiet ? `Benchmarking ${host} (be patient)...` : `Benchmarking ${host} (be patient)\n`);
  }
  if (output.verbosity >= 2) stderr.write(requestEcho(load, settings.redactHeaders));

  // Ctrl-C or SIGTERM: stop sending, report what was measured, exit 130. A second Ctrl-C exits at once.
  const abort = new AbortController();
  let signals = 0;
  let loadEnded = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1 && signal === 'SIGINT') process.exit(EXIT.interrupted);
    abort.abort();
    // Tens of thousands of lanes stuck connecting can take seconds to wind down: Ctrl-C must not.
    setTimeout(() => {
      if (loadEnded) return;
      stderr.write(`abx: interrupted; the load did not stop within ${INTERRUPT_GRACE_MS / 1000} s, so there is no report\n`);
      process.exit(EXIT.interrupted);
    }, INTERRUPT_GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const lateMs =
    settings.startAtMs === null ? 0 : await waitForStart(settings.startAtMs, abort.signal, (line) => stderr.write(`${line}\n`));
  const startedAtMs = Date.now();
  let progress: ProgressSink | null = null;
  const observer = await startObserverIfWanted(
    settings,
    startedAtMs,
    abort.signal,
    (line) => (progress ? progress.log(line) : stderr.write(`${fitLine(line, errWidth())}\n`)),
    (msg) => {
      // A warning is wrapped, not cut: its end (what to fix) matters as much as its start.
      for (const piece of wrapLine(`abx: warning: ${msg}`, errWidth(), 2)) {
        const line = errPaint.warn(piece);
        if (progress) progress.log(line);
        else stderr.write(`${line}\n`);
      }
    },
    errPaint,
  );

  const gnuplot = output.gnuplotPath ? openGnuplotFile(output.gnuplotPath) : null;
  let latest: LoadProgress = { finished: 0, errors: 0, p99Ms: 0 };
  const done = runPlannedLoad(settings, {
    signal: abort.signal,
    startAtEpochMs: startedAtMs,
    onProgress: (counts) => {
      latest = counts;
    },
    progressIntervalMs: PROGRESS_INTERVAL_MS,
    ...(gnuplot ? { onRow: gnuplot.write } : {}),
    // -v 3, as ab's "LOG: header received": the first response's head, secret values redacted.
    ...(output.verbosity >= 3
      ? { onResponseHead: (lines: string[]) => stderr.write(`LOG: header received:\n${responseEcho(lines, settings.redactHeaders)}\n`) }
      : {}),
  });
  progress = startProgress({
    stream: stderr,
    live: stderr.isTTY === true && process.env.CI !== 'true',
    quiet: output.quiet || output.json,
    total: load.requests,
    durationMs: load.durationMs,
    ratePerSec: load.ratePerSec,
    read: () => latest,
    width: errWidth,
    paint: errPaint,
  });

  const result: Result = await done;
  loadEnded = true;
  if (settings.shard !== null) {
    const startAt = settings.startAtMs === null ? null : new Date(settings.startAtMs).toISOString();
    result.shard = { index: settings.shard.index, count: settings.shard.count, startAt, lateMs };
  }
  progress.stop(result.totals.requests);
  const gnuplotStatus: GnuplotFileStatus = gnuplot ? await gnuplot.close() : { complete: true };

  if (observer) {
    const lingerMs = settings.observe.lingerMs ?? DEFAULT_LINGER_MS;
    let endLinger = (): void => {};
    result.observation = await observer.stop({
      lingerMs: abort.signal.aborted ? 0 : lingerMs,
      signal: abort.signal,
      // The countdown starts only when the linger does (the observer skips it for a missing group or a dead endpoint).
      onLinger: (ms) => {
        const countdown = progress?.linger(ms);
        endLinger = () => countdown?.end();
      },
    });
    endLinger();
  }
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  if (settings.assertions.length > 0) result.assertions = evaluateAssertions(settings.assertions, result);

  if (output.json) {
    stdout.write(JSON.stringify(result, null, 2) + '\n');
  } else {
    if (output.quiet) stdout.write('..done\n');
    stdout.write(
      '\n\n' +
        renderTextReport(result, {
          color,
          percentiles: output.percentiles,
          confidence: output.confidence,
          width: terminalWidth(stdout, process.env),
          verbose: output.verbosity >= 1,
        }),
    );
  }

  // A failed -g file never stops the run or its report: it is said once, at the end.
  if (!gnuplotStatus.complete) stderr.write(`abx: the -g file ${output.gnuplotPath} is incomplete: ${gnuplotStatus.reason}\n`);
  await writeOutputs(settings, result);

  if (result.interrupted) {
    // Thousands of sockets still closing would keep the process alive for seconds after Ctrl-C: once what was
    // measured is printed and written, end now.
    await flushed(stdout);
    await flushed(stderr);
    process.exit(EXIT.interrupted);
  }
  // A run that measured nothing fails, whatever its assertions said.
  const nothing = nothingCompletedReason(result, (error) => explainError(error, output.verbosity >= 1));
  if (nothing !== null) stderr.write(`abx: ${nothing}\n`);
  // --abort-on stopped the run: its report already says which condition fired.
  if (nothing !== null || result.aborted || result.assertions?.some((a) => !a.passed)) return EXIT.failed;
  return EXIT.ok;
}

export async function writeOutputs(settings: RunSettings, result: Result): Promise<void> {
  const { output } = settings;
  const writes: Array<Promise<void>> = [];
  if (output.outPath) {
    const json = JSON.stringify(result, null, 2) + '\n';
    if (isS3Url(output.outPath)) writes.push(putS3Text(output.outPath, json, s3SettingsOf(settings)));
    else writes.push(writeFileAtomic(output.outPath, json));
  }
  if (output.percentileCsvPath) {
    const histogram = decodeHistogram(result.histogram);
    writes.push(
      writeFileAtomic(
        output.percentileCsvPath,
        renderPercentileCsv((p) => (histogram.totalCount ? histogram.getValueAtPercentile(p) / 1000 : 0)),
      ),
    );
  }
  if (output.htmlPath) {
    const { renderHtml } = await import('../report/html.js');
    writes.push(writeFileAtomic(output.htmlPath, renderHtml(result)));
  }
  if (output.junitPath) {
    const { renderJunit } = await import('../report/junit.js');
    writes.push(writeFileAtomic(output.junitPath, renderJunit(result)));
  }
  writes.push(appendStepSummary(result).then(() => undefined));
  // Write every file we can; report the first failure after all were tried.
  const outcomes = await Promise.allSettled(writes);
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
}

/** S3 results are written with the observer's region, profile, endpoint and credentials. */
function s3SettingsOf(settings: RunSettings): S3Settings {
  const { region, profile, endpointUrl, credentials } = settings.observe;
  return {
    ...(region ? { region } : {}),
    ...(profile ? { profile } : {}),
    ...(endpointUrl ? { endpointUrl } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

export async function startObserverIfWanted(
  settings: RunSettings,
  runStartedAtMs: number,
  signal: AbortSignal,
  onLine: (line: string) => void,
  onWarning: (message: string) => void,
  paint: Paint,
): Promise<Pick<import('../observe/observer.js').Observer, 'stop'> | null> {
  const o = settings.observe;
  if (!o.observing) return null;
  // Loaded only now: plain runs never pay for the reporter (observe() loads the AWS SDK only when called).
  const [{ EventFeed, formatOffset }, { paintEventLine }] = await Promise.all([
    import('../report/event-lines.js'),
    import('../report/scaling.js'),
  ]);
  // One poll's events print together, in time order, one line per happening.
  const feed = new EventFeed();
  const flush = (): void => {
    for (const line of feed.flush(Date.now())) {
      onLine(paintEventLine(`${formatOffset(line.atMs - runStartedAtMs)}  ${line.text}`, line, paint));
    }
  };
  const options: ObserveOptions = {
    pollIntervalMs: settings.observe.pollIntervalMs,
    runStartedAtMs,
    url: settings.load.url,
    onEvent: (event: ObservationEvent) => feed.add(event),
    onPollEnd: flush,
    onWarning,
    signal,
  };
  if (o.asg !== undefined) options.asg = o.asg;
  if (o.targetGroupArn !== undefined) options.targetGroupArn = o.targetGroupArn;
  if (o.region !== undefined) options.region = o.region;
  if (o.profile !== undefined) options.profile = o.profile;
  if (o.endpointUrl !== undefined) options.endpointUrl = o.endpointUrl;
  if (o.credentials !== undefined) options.credentials = o.credentials;
  const observer = await observe(options);
  return {
    async stop(opts) {
      const observation = await observer.stop(opts);
      flush();
      return observation;
    },
  };
}

/**
 * --start-at: sleeps until the agreed time, saying so, so that shards started
 * on different machines send their first requests together. A shard started
 * after that time goes at once and returns how late it was (the Result keeps
 * it: its share of the schedule was sent that much later than the others').
 */
async function waitForStart(startAtMs: number, signal: AbortSignal, say: (line: string) => void): Promise<number> {
  const waitMs = startAtMs - Date.now();
  const at = new Date(startAtMs).toISOString();
  if (waitMs <= 0) {
    say(`abx: started ${(-waitMs / 1000).toFixed(1)} s after --start-at ${at}: late, so the first request goes now`);
    return -waitMs;
  }
  say(`abx: waiting ${(waitMs / 1000).toFixed(1)} s until --start-at ${at} before the first request`);
  await new Promise<void>((resolve) => {
    // Ctrl-C while waiting ends the wait; the load then stops at once and reports nothing sent.
    const timer = setTimeout(done, waitMs);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
  return 0;
}

/** Resolves once everything written to `stream` so far has been handed to the system (or the stream is gone). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.write('', () => resolve());
  });
}
