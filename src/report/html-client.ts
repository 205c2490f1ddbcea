/**
 * The script the HTML report runs in the browser: it reads the chart data
 * inlined as JSON (see html-data.ts) and draws it with uPlot.
 *
 * Plain ES2017 in a string, because it runs in the viewer's browser, not in
 * Node. It never uses innerHTML: text from the Result (alarm names, activity
 * causes) reaches the page only through textContent, so it stays text.
 * Every chart instance is kept on window.__abxCharts (by element id), which
 * the browser test reads to check that each chart drew its data.
 */
export const CLIENT_JS = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('abx-data').textContent);
  var charts = {};
  window.__abxCharts = charts;

  // Okabe-Ito: distinguishable with every common colour-vision deficiency.
  var C = {
    blue: '#0072B2', vermillion: '#D55E00', orange: '#E69F00', sky: '#56B4E9',
    green: '#009E73', purple: '#CC79A7', grey: '#8a8f98', ink: '#3b4048'
  };
  var HEIGHT = 260;
  var SYNC = 'abx-time';
  // Per-second series are dense lines; dots would only add noise (the cursor shows each value).
  var NO_POINTS = { show: false };

  function num(v, digits) {
    if (v == null || !isFinite(v)) return '—';
    var s = v.toFixed(digits);
    var parts = s.split('.');
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return parts.join('.');
  }
  function ms(v) {
    if (v == null) return '—';
    return num(v, v < 10 ? 2 : v < 100 ? 1 : 0) + ' ms';
  }
  function sec(v) {
    if (v == null) return '—';
    return (v < 0 ? '−' : '') + num(Math.abs(v), Number.isInteger(v) ? 0 : 1) + ' s';
  }
  function pctOfInverseTail(x, extra) {
    if (x <= 1) return '0%';
    var p = 100 * (1 - 1 / x);
    var digits = Math.max(0, Math.ceil(Math.log10(x) - 1e-9) - 2) + (extra || 0);
    return p.toFixed(digits) + '%';
  }
  function rounded(digits) { return function (u, v) { return v == null ? '—' : num(v, digits); }; }

  function timeScale() {
    var r = data.xRangeSec;
    // Every time chart shares one x range so the load and the AWS charts line up.
    return { time: false, range: function () { return [r[0], r[1]]; } };
  }
  function timeAxis() {
    return { label: 'seconds since start', stroke: C.ink, values: function (u, splits) { return splits.map(function (s) { return s + ' s'; }); } };
  }
  function timeSeries() { return { label: 'time', value: function (u, v) { return sec(v); } }; }
  function zeroBased(headroom, atLeast) {
    return function (u, min, max) { return [0, Math.max(atLeast, (max || 0) * headroom)]; };
  }

  var tip = document.getElementById('abx-tip');
  function showTip(text, anchor) {
    tip.textContent = text;
    tip.hidden = false;
    var r = anchor.getBoundingClientRect();
    var left = Math.min(window.innerWidth - tip.offsetWidth - 8, Math.max(8, r.left + 12));
    tip.style.left = left + 'px';
    tip.style.top = Math.max(8, r.top + 24) + 'px';
  }
  function hideTip() { tip.hidden = true; }

  // Alarm transitions and scaling activities as vertical lines, with their text on hover or focus.
  function markersPlugin(markers) {
    function place(u) {
      var layer = u.over.querySelector('.abx-markers');
      if (!layer) {
        layer = document.createElement('div');
        layer.className = 'abx-markers';
        u.over.appendChild(layer);
      }
      layer.textContent = '';
      var width = u.over.clientWidth;
      markers.forEach(function (m, i) {
        var left = u.valToPos(m.atSec, 'x');
        if (!(left >= 0 && left <= width)) return;
        var el = document.createElement('div');
        el.className = 'abx-marker abx-marker-' + m.kind;
        el.style.left = left + 'px';
        el.tabIndex = 0;
        el.setAttribute('role', 'img');
        el.setAttribute('aria-label', m.text);
        var label = document.createElement('span');
        label.className = 'abx-marker-label';
        // Staggered so markers a few seconds apart keep readable labels.
        label.style.top = (2 + (i % 3) * 16) + 'px';
        label.textContent = m.label;
        el.appendChild(label);
        el.addEventListener('mouseenter', function () { showTip(m.text, el); });
        el.addEventListener('focus', function () { showTip(m.text, el); });
        el.addEventListener('mouseleave', hideTip);
        el.addEventListener('blur', hideTip);
        layer.appendChild(el);
      });
    }
    return { hooks: { ready: place, setSize: place, setScale: function (u, key) { if (key === 'x') place(u); } } };
  }

  // Periods the observer could not see are shaded, so a flat line there is not mistaken for data.
  function gapsPlugin(gaps) {
    return { hooks: { drawClear: function (u) {
      var ctx = u.ctx;
      ctx.save();
      ctx.fillStyle = 'rgba(138, 143, 152, 0.16)';
      gaps.forEach(function (g) {
        var x0 = u.valToPos(g.fromSec, 'x', true);
        var x1 = u.valToPos(g.toSec, 'x', true);
        var left = Math.max(u.bbox.left, Math.min(x0, x1));
        var right = Math.min(u.bbox.left + u.bbox.width, Math.max(x0, x1));
        if (right > left) ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
      });
      ctx.restore();
    } } };
  }

  function timePlugins() {
    var plugins = [];
    if (data.markers.length) plugins.push(markersPlugin(data.markers));
    if (data.gaps.length) plugins.push(gapsPlugin(data.gaps));
    return plugins;
  }

  function make(id, opts, aligned) {
    var el = document.getElementById(id);
    if (!el) return;
    try {
      opts.width = Math.max(320, el.clientWidth);
      opts.height = HEIGHT;
      var u = new uPlot(opts, aligned, el);
      charts[id] = u;
      el.setAttribute('data-points', String(aligned[0].length));
    } catch (e) {
      console.error('abx: the ' + id + ' chart could not be drawn: ' + (e && e.message));
    }
  }

  var sync = { key: SYNC, setSeries: false };
  var latencyWord = data.rateMode ? 'corrected latency' : 'latency';

  if (data.throughput) {
    var t = data.throughput;
    var tSeries = [timeSeries(),
        { label: 'responses/s', stroke: C.blue, width: 2, points: NO_POINTS, fill: 'rgba(0, 114, 178, 0.08)', value: rounded(0) },
        { label: 'errors/s', stroke: C.vermillion, width: 2, points: NO_POINTS, scale: 'err', value: rounded(0) },
        { label: 'non-2xx/s', stroke: C.orange, width: 1.5, points: NO_POINTS, dash: [6, 4], scale: 'err', value: rounded(0) }];
    var tData = [t.xSec, t.completedPerSec, t.errorsPerSec, t.non2xxPerSec];
    // Open loop: the schedule's target beside what was achieved.
    if (t.targetPerSec) {
      tSeries.push({ label: 'target/s', stroke: C.ink, width: 1.5, points: NO_POINTS, dash: [2, 3], value: rounded(0) });
      tData.push(t.targetPerSec);
    }
    make('chart-throughput', {
      cursor: { sync: sync },
      scales: { x: timeScale(), y: { range: zeroBased(1.1, 1) }, err: { range: zeroBased(1.2, 1) } },
      axes: [timeAxis(),
        { label: 'responses / s', stroke: C.ink, scale: 'y' },
        { label: 'errors / s', stroke: C.vermillion, scale: 'err', side: 1, grid: { show: false } }],
      series: tSeries,
      plugins: timePlugins()
    }, tData);
  }

  if (data.latency) {
    var l = data.latency;
    var msValue = function (u, v) { return ms(v); };
    make('chart-latency', {
      cursor: { sync: sync },
      scales: { x: timeScale(), y: { range: zeroBased(1.1, 1) } },
      axes: [timeAxis(), { label: latencyWord + ' (ms)', stroke: C.ink }],
      series: [timeSeries(),
        { label: 'p50', stroke: C.blue, width: 2, points: NO_POINTS, value: msValue },
        { label: 'p90', stroke: C.green, width: 2, points: NO_POINTS, value: msValue },
        { label: 'p99', stroke: C.vermillion, width: 2, points: NO_POINTS, value: msValue },
        { label: 'max', stroke: C.grey, width: 1, points: NO_POINTS, dash: [3, 3], show: false, value: msValue }],
      plugins: timePlugins()
    }, [l.xSec, l.p50Ms, l.p90Ms, l.p99Ms, l.maxMs]);
  }

  if (data.distribution) {
    var d = data.distribution;
    var last = d.inverseTail[d.inverseTail.length - 1];
    var series = [
      { label: 'percentile', value: function (u, v) { return v == null ? '—' : pctOfInverseTail(v, 1); } },
      { label: data.rateMode ? 'corrected' : 'latency', stroke: C.blue, width: 2, value: function (u, v) { return ms(v); } }
    ];
    var aligned = [d.inverseTail, d.totalMs];
    if (d.serviceMs) {
      series.push({ label: 'service', stroke: C.orange, width: 2, dash: [6, 4], value: function (u, v) { return ms(v); } });
      aligned.push(d.serviceMs);
    }
    make('chart-distribution', {
      scales: { x: { time: false, distr: 3, log: 10, range: function () { return [1, last]; } }, y: { range: zeroBased(1.1, 1) } },
      axes: [
        { label: 'percentile (log scale of 1 / (1 − p))', stroke: C.ink,
          splits: function () { var s = []; for (var x = 1; x <= last * 1.0001; x *= 10) s.push(x); return s; },
          values: function (u, splits) { return splits.map(function (x) { return pctOfInverseTail(x, 0); }); } },
        { label: latencyWord + ' (ms)', stroke: C.ink }],
      series: series
    }, aligned);
  }

  if (data.requestCount) {
    var r = data.requestCount;
    var rSeries = [timeSeries(),
      { label: 'RequestCountPerTarget', stroke: C.blue, width: 2, spanGaps: false, points: { show: true, size: 5 }, value: rounded(1) },
      { label: 'provisional', stroke: C.blue, width: 1.5, dash: [4, 4], points: { show: true, size: 5 }, value: rounded(1) }];
    var rAligned = [r.xSec, r.value, r.provisional];
    if (r.target) {
      rSeries.push({ label: 'target (' + num(r.targetValue, 0) + ')', stroke: C.ink, width: 1.5, dash: [8, 5], points: NO_POINTS, value: rounded(1) });
      rAligned.push(r.target);
    }
    make('chart-request-count', {
      cursor: { sync: sync },
      scales: { x: timeScale(), y: { range: zeroBased(1.15, 1) } },
      axes: [timeAxis(), { label: 'requests / target', stroke: C.ink }],
      series: rSeries,
      plugins: timePlugins()
    }, rAligned);
  }

  if (data.capacity) {
    var c = data.capacity;
    var step = uPlot.paths.stepped({ align: 1 });
    make('chart-capacity', {
      cursor: { sync: sync },
      scales: { x: timeScale(), y: { range: function (u, min, max) { return [0, Math.max(2, (max || 0) + 1)]; } } },
      axes: [timeAxis(), { label: 'instances', stroke: C.ink, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
      series: [timeSeries(),
        // Wider and drawn first: where desired equals InService it shows as a border around it.
        { label: 'desired', stroke: C.purple, width: 5, points: NO_POINTS, paths: step, spanGaps: true, value: rounded(0) },
        { label: 'InService', stroke: C.green, width: 2, points: NO_POINTS, paths: step, spanGaps: true, value: rounded(0) },
        { label: 'healthy targets', stroke: C.sky, width: 1.5, dash: [6, 4], points: NO_POINTS, paths: step, spanGaps: true, value: rounded(0) }],
      plugins: timePlugins()
    }, [c.xSec, c.desired, c.inService, c.healthy]);
  }

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      Object.keys(charts).forEach(function (id) {
        var el = document.getElementById(id);
        charts[id].setSize({ width: Math.max(320, el.clientWidth), height: HEIGHT });
      });
    }, 100);
  });
})();
`;
