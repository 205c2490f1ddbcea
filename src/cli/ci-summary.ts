/**
 * GitHub Actions job summaries: when GITHUB_STEP_SUMMARY names a file, the
 * markdown summary of the run is appended to it (appended, because every step
 * of the job shares that file).
 */
import { appendFile } from 'node:fs/promises';
import { renderMarkdown } from '../report/markdown.js';
import type { Result } from '../stats/result.js';

/** Appends renderMarkdown(result) to $GITHUB_STEP_SUMMARY when it is set; returns whether it wrote. */
export async function appendStepSummary(result: Result, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const path = env.GITHUB_STEP_SUMMARY;
  if (!path) return false;
  await appendFile(path, `${renderMarkdown(result)}\n`, 'utf8');
  return true;
}
