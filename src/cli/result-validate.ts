/**
 * A result file read back (abx report, merge, compare) is checked against
 * the checked-in JSON Schema (schema/result.schema.json) and its histograms
 * are decoded, before a reporter or merge sees it. A damaged file used to
 * crash merge ("Invalid string. Length must be a multiple of 4") or print
 * `Complete requests: lots`; now it is one line naming the place in the
 * document and the problem, exit 2.
 *
 * ajv is a runtime dependency for this: the schema is the contract, and a
 * hand-written copy of its rules would drift from it. It is loaded only by
 * the commands that read result files.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { decodeHistogram } from '../stats/histogram.js';
import type { Result } from '../stats/result.js';

let validator: ValidateFunction | null = null;

function validate(): ValidateFunction {
  if (validator) return validator;
  // dist/cli/ and src/cli/ both sit two folders below the package root, where schema/ ships.
  const schema = JSON.parse(readFileSync(new URL('../../schema/result.schema.json', import.meta.url), 'utf8')) as object;
  const ajv = new Ajv2020({ strict: true, allErrors: false });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  validator = ajv.compile(schema);
  return validator;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath || '/';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `${where}: unknown field "${String(params.additionalProperty)}"`;
  if (error.keyword === 'required') return `${where}: "${String(params.missingProperty)}" is missing`;
  return `${where}: ${error.message ?? 'is not valid'}`;
}

/** The first problem with `data` as an abx result ("/totals/completed: must be number"), or null when it is valid. */
export function resultProblem(data: unknown): string | null {
  const check = validate();
  if (!check(data)) return check.errors?.[0] ? describeError(check.errors[0]) : '/: is not valid';
  const result = data as Result;
  const histograms: Array<[string, string | undefined]> = [
    ['/histogram', result.histogram],
    ...Object.entries(result.phaseHistograms).map(([name, encoded]): [string, string | undefined] => [`/phaseHistograms/${name}`, encoded]),
    ...result.timeline.map((bucket, i): [string, string | undefined] => [`/timeline/${i}/histogram`, bucket.histogram]),
    ...(result.addresses ?? []).map((share, i): [string, string | undefined] => [`/addresses/${i}/histogram`, share.histogram]),
  ];
  for (const [where, encoded] of histograms) {
    if (encoded === undefined) continue;
    try {
      decodeHistogram(encoded);
    } catch (error) {
      return `${where}: not a valid encoded histogram (${(error instanceof Error ? error.message : String(error)).split('\n')[0]})`;
    }
  }
  return null;
}
