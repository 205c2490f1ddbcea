/**
 * The whole text report, as a live run prints it and `abx report` re-prints
 * it: ab's report, then the scaling timeline when the run was observed, then
 * the assertion verdicts.
 */
import type { Result } from '../stats/result.js';
import { renderAbReport, type AbTextOptions } from './ab-text.js';
import { renderAssertionTable } from './assertions.js';
import { bottleneckLine } from './client-text.js';
import { renderScalingTimeline } from './scaling.js';

export function renderTextReport(result: Result, options: { color: boolean; width?: number } & Partial<AbTextOptions>): string {
  const parts = [renderAbReport(result, options)];
  if (result.observation)
    parts.push(renderScalingTimeline(result, { color: options.color, ...(options.width !== undefined ? { width: options.width } : {}) }));
  if (result.assertions && result.assertions.length > 0) parts.push(renderAssertionTable(result.assertions, { color: options.color }));
  const bottleneck = bottleneckLine(result);
  if (bottleneck !== null) parts.push(bottleneck + '\n');
  return parts.join('\n');
}
