/**
 * The HTML report's stylesheet: light, calm, system fonts only (a web font
 * would be a network request), and the same Okabe-Ito colours as the charts.
 */
export const REPORT_CSS = `
:root {
  --ink: #1f2328; --muted: #5b636e; --line: #d8dde3; --card: #ffffff; --page: #f5f6f8;
  --blue: #0072B2; --vermillion: #D55E00; --orange: #E69F00; --green: #009E73; --purple: #CC79A7;
  color-scheme: light;
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--page); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 40px; }
header h1 { font-size: 20px; margin: 0 0 4px; font-weight: 600; }
header .target { margin: 0 0 6px; font-size: 15px; overflow-wrap: anywhere; }
header .target code { font: 600 15px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.meta { margin: 0; color: var(--muted); }
.meta span + span::before { content: " · "; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; background: #fdebd9; color: #8a3a00; margin-left: 6px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 12px; margin: 20px 0; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.tile .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.tile .value { font-size: 28px; font-weight: 600; font-variant-numeric: tabular-nums; margin: 2px 0; }
.tile .value small { font-size: 15px; font-weight: 500; color: var(--muted); margin-left: 3px; }
.tile .sub { color: var(--muted); font-size: 12.5px; }
.tile.bad { border-color: #f0b48a; background: #fff8f2; }
.tile.bad .value { color: #a84300; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px 8px; margin: 0 0 14px; }
.card h2 { font-size: 15px; margin: 0 0 2px; font-weight: 600; }
.card .note { margin: 0 0 8px; color: var(--muted); font-size: 12.5px; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 14px; }
.grid2 .card { margin: 0 0 14px; }
.chart { width: 100%; min-height: 260px; }
.uplot { font-family: inherit; }
.u-legend { font-size: 12.5px; }
.u-over .abx-markers { position: absolute; inset: 0; pointer-events: none; }
.abx-marker { position: absolute; top: 0; bottom: 0; width: 11px; margin-left: -5px; pointer-events: auto; cursor: help; outline: none; }
.abx-marker::before { content: ""; position: absolute; left: 5px; top: 0; bottom: 0; border-left: 2px dashed var(--orange); }
.abx-marker-scaling-activity::before { border-left: 2px solid var(--purple); }
.abx-marker:focus::before, .abx-marker:hover::before { border-left-width: 3px; }
.abx-marker-label { position: absolute; left: 9px; white-space: nowrap; font-size: 11px; font-weight: 600; padding: 0 4px; border-radius: 3px; background: rgba(255,255,255,.7); color: #8a5a00; }
.abx-marker-scaling-activity .abx-marker-label { color: #8e3f6c; }
#abx-tip { position: fixed; z-index: 10; max-width: 460px; padding: 8px 10px; border-radius: 6px; background: #1f2328; color: #fff; font-size: 12.5px; white-space: pre-line; box-shadow: 0 4px 14px rgba(0,0,0,.18); pointer-events: none; }
#abx-tip[hidden] { display: none; }
.key { display: inline-flex; align-items: center; gap: 5px; margin-right: 12px; }
.key::before { content: ""; display: inline-block; width: 0; height: 12px; }
.key.alarm::before { border-left: 2px dashed var(--orange); }
.key.scaling::before { border-left: 2px solid var(--purple); }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 0 0 10px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.cause { color: var(--muted); font-size: 12px; }
.pass { color: var(--green); font-weight: 600; }
.fail { color: var(--vermillion); font-weight: 600; }
.empty { color: var(--muted); font-style: italic; padding: 24px 0; }
ul.warnings { margin: 4px 0 10px; padding-left: 20px; color: #8a3a00; }
footer { color: var(--muted); font-size: 12px; margin-top: 18px; }
`;
