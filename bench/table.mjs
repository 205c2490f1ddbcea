// Pure: per-round measurements → summary rows, the markdown table, and the
// issue's targets checked as ratios measured in the same run.

export function median(values) {
  const sorted = values.filter((v) => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * @param {string[]} order tool names in table order
 * @param {Array<{ tool: string, rps: number, requests: number, errors: number, cpuMs: number | null, maxRssKb: number | null, wallMs: number }>} runs
 */
export function summarise(order, runs) {
  const rows = [];
  for (const tool of order) {
    const mine = runs.filter((r) => r.tool === tool);
    if (mine.length === 0) continue;
    const rps = mine.map((r) => r.rps);
    const cpuUsPerRequest = mine.map((r) => (r.cpuMs === null || r.requests === 0 ? null : (r.cpuMs * 1000) / r.requests));
    const rss = mine.map((r) => r.maxRssKb).filter((v) => v !== null);
    rows.push({
      tool,
      rounds: mine.length,
      rps: median(rps),
      rpsMin: Math.min(...rps),
      rpsMax: Math.max(...rps),
      requests: median(mine.map((r) => r.requests)),
      errors: mine.reduce((sum, r) => sum + r.errors, 0),
      cpuUsPerRequest: median(cpuUsPerRequest),
      peakRssMb: rss.length ? Math.max(...rss) / 1024 : null,
      wallSec: median(mine.map((r) => r.wallMs / 1000)),
      // Below ~100 % the client was waiting (on the server, or for a CPU shared with other work), not saturated.
      cpuBusyPercent: median(mine.map((r) => (r.cpuMs === null ? null : (100 * r.cpuMs) / r.wallMs))),
    });
  }
  const abx = rows.find((r) => r.tool === 'abx');
  for (const row of rows) {
    row.abxRpsRatio = abx && row.rps ? abx.rps / row.rps : null;
    row.abxCpuRatio = abx && abx.cpuUsPerRequest !== null && row.cpuUsPerRequest ? abx.cpuUsPerRequest / row.cpuUsPerRequest : null;
  }
  return rows;
}

const fixed = (value, digits) => (value === null || value === undefined ? 'n/a' : value.toFixed(digits));
const thousands = (value) => (value === null ? 'n/a' : Math.round(value).toLocaleString('en-US'));

export function renderTable(rows) {
  const header = [
    'tool',
    'rps (median)',
    'rps min–max',
    'client CPU µs/req',
    'client CPU busy %',
    'peak RSS MB',
    'requests',
    'errors',
    'wall s',
    'abx ÷ tool rps',
    'abx ÷ tool CPU/req',
  ];
  const lines = [header, header.map((h, i) => (i === 0 ? '---' : '---:'))];
  for (const row of rows) {
    lines.push([
      row.tool,
      thousands(row.rps),
      `${thousands(row.rpsMin)}–${thousands(row.rpsMax)}`,
      fixed(row.cpuUsPerRequest, 1),
      fixed(row.cpuBusyPercent, 0),
      fixed(row.peakRssMb, 1),
      thousands(row.requests),
      String(row.errors),
      fixed(row.wallSec, 2),
      fixed(row.abxRpsRatio, 2),
      fixed(row.abxCpuRatio, 2),
    ]);
  }
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/**
 * The capacity targets, as ratios measured in the same run. A target whose
 * peer or measurement is missing is reported as not measured rather than passed.
 * @param {Record<string, ReturnType<typeof summarise>>} rowsByMode rows per mode (close, keepalive)
 * @param {{ versionMs: number | null, longRssMb: number | null, closeRequests: number, concurrency: number }} extra
 */
export function checkTargets(rowsByMode, { versionMs, longRssMb, closeRequests, concurrency }) {
  const checks = [];
  const ratio = (mode, peer, wanted, label) => {
    const rows = rowsByMode[mode] ?? [];
    const abx = rows.find((r) => r.tool === 'abx');
    const row = rows.find((r) => r.tool === peer);
    const value = abx && row ? abx.rps / row.rps : null;
    checks.push({ label, value: value === null ? 'not measured' : `${value.toFixed(2)} ×`, pass: value === null ? null : value >= wanted });
  };
  ratio('close', 'net floor', 0.9, 'without -k: abx rps ≥ 0.9 × bare net floor');
  ratio('close', 'hey', 1.0, 'without -k: abx rps ≥ 1.0 × hey -disable-keepalive');
  ratio('keepalive', 'autocannon', 1.5, 'with -k: abx rps ≥ 1.5 × autocannon');
  ratio('keepalive', 'wrk -t1', 0.7, 'with -k: abx rps ≥ 0.7 × wrk -t1');
  const closeAbx = (rowsByMode.close ?? []).find((r) => r.tool === 'abx');
  const closeRss = closeAbx?.peakRssMb ?? null;
  checks.push({
    label: `abx peak RSS ≤ 80 MB for -n ${closeRequests} -c ${concurrency} (no -k)`,
    value: closeRss === null ? 'not measured' : `${closeRss.toFixed(1)} MB`,
    pass: closeRss === null ? null : closeRss <= 80,
  });
  const cpu = (rowsByMode.keepalive ?? []).find((r) => r.tool === 'abx')?.cpuUsPerRequest ?? null;
  checks.push({
    label: 'with -k: abx client CPU ≤ 35 µs/request',
    value: cpu === null ? 'not measured' : `${cpu.toFixed(1)} µs`,
    pass: cpu === null ? null : cpu <= 35,
  });
  checks.push({
    label: 'abx --version ≤ 150 ms (median of 10)',
    value: versionMs === null ? 'not measured' : `${versionMs.toFixed(0)} ms`,
    pass: versionMs === null ? null : versionMs <= 150,
  });
  checks.push({
    label: 'abx peak RSS ≤ 100 MB for -n 10000000',
    value: longRssMb === null ? 'not measured (set BENCH_LONG=1)' : `${longRssMb.toFixed(1)} MB`,
    pass: longRssMb === null ? null : longRssMb <= 100,
  });
  return checks;
}

export function renderTargets(checks) {
  const lines = ['| target | measured | verdict |', '|---|---:|---|'];
  for (const c of checks) lines.push(`| ${c.label} | ${c.value} | ${c.pass === null ? '—' : c.pass ? 'met' : 'MISSED'} |`);
  return lines.join('\n');
}
