// The page's own script, inlined after Chart.js: reads the JSON data block and draws each chart
// into its canvas. Plain ES2017 so any current browser runs it; no network, no eval. Names from
// the data only ever reach the canvas as text (Chart.js draws labels, it never parses HTML).

export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var C = window.Chart;
  var col = data.colours;
  C.defaults.font.family = getComputedStyle(document.body).fontFamily;
  C.defaults.font.size = 12;
  C.defaults.color = col.muted;
  C.defaults.borderColor = '#eceef1';
  C.defaults.animation = false;
  C.defaults.responsive = true;
  C.defaults.maintainAspectRatio = false;

  function fmt(v) {
    if (v === null || !isFinite(v)) return '—';
    var a = Math.abs(v);
    var s = a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(3)));
    return s.replace('-', '\u2212');
  }
  function signed(v) { return v > 0 ? '+' + fmt(v) : fmt(v); }

  function effectColour(v, better, pale) {
    if (better === 'unknown' || v === null) return pale ? col.neutralPale : col.neutral;
    var harmful = better === 'higher' ? v < 0 : v > 0;
    if (harmful) return pale ? col.blamePale : col.blame;
    return pale ? col.creditPale : col.credit;
  }
  var zeroLine = { color: function (ctx) { return ctx.tick && ctx.tick.value === 0 ? '#9aa3ad' : '#eceef1'; },
    lineWidth: function (ctx) { return ctx.tick && ctx.tick.value === 0 ? 1.5 : 1; } };

  // Chart.js has no error bars: this plugin draws each estimate's interval as a whisker over its
  // bar, and a diamond on replayed (exact) values, after the bars are drawn.
  function intervalPlugin(opts) {
    return { id: 'intervals', afterDatasetsDraw: function (chart) {
      var meta = chart.getDatasetMeta(0);
      if (!meta || meta.hidden) return;
      var x = chart.scales.x, ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = col.ink; ctx.fillStyle = col.ink; ctx.lineWidth = 1.5;
      meta.data.forEach(function (bar, i) {
        var lo = opts.lo[i], hi = opts.hi[i];
        if (opts.exact[i] && opts.estimate[i] !== null) {
          var px = x.getPixelForValue(opts.estimate[i]);
          ctx.beginPath(); ctx.moveTo(px, bar.y - 5); ctx.lineTo(px + 5, bar.y); ctx.lineTo(px, bar.y + 5); ctx.lineTo(px - 5, bar.y); ctx.closePath(); ctx.fill();
          return;
        }
        if (lo === null || hi === null) return;
        var a = x.getPixelForValue(lo), b = x.getPixelForValue(hi), cap = Math.max(3, Math.min(8, bar.height / 3));
        ctx.beginPath();
        ctx.moveTo(a, bar.y); ctx.lineTo(b, bar.y);
        ctx.moveTo(a, bar.y - cap); ctx.lineTo(a, bar.y + cap);
        ctx.moveTo(b, bar.y - cap); ctx.lineTo(b, bar.y + cap);
        ctx.stroke();
      });
      ctx.restore();
    } };
  }

  function effectsChart(e) {
    var canvas = document.getElementById(e.canvas);
    if (!canvas) return;
    var sets = [{
      label: 'estimate (' + e.estimateLabel + ')', data: e.estimate,
      backgroundColor: e.estimate.map(function (v) { return effectColour(v, e.better, false); }),
      borderColor: e.estimate.map(function (v) { return effectColour(v, e.better, false); }),
      borderWidth: 1, borderRadius: 3, barPercentage: 0.9, categoryPercentage: 0.7
    }];
    if (e.truth) sets.push({
      label: 'retraining truth', data: e.truth,
      backgroundColor: e.truth.map(function (v) { return effectColour(v, e.better, true); }),
      borderColor: e.truth.map(function (v) { return effectColour(v, e.better, false); }),
      borderWidth: 2, borderRadius: 3, barPercentage: 0.9, categoryPercentage: 0.7
    });
    // The axis must reach the whiskers' ends, not only the bars'.
    var ends = e.lo.concat(e.hi).filter(function (v) { return v !== null && isFinite(v); });
    var xmin = Math.min.apply(null, ends.concat([0])), xmax = Math.max.apply(null, ends.concat([0]));
    new C(canvas, {
      type: 'bar',
      data: { labels: e.stages.map(function (s, i) { return [s, e.tags[i]]; }), datasets: sets },
      plugins: [intervalPlugin(e)],
      options: {
        indexAxis: 'y',
        scales: {
          x: { suggestedMin: xmin, suggestedMax: xmax, title: { display: true, text: e.axisLabel, color: col.ink }, grid: zeroLine },
          y: { grid: { display: false }, ticks: { color: col.ink, font: { weight: '600' } } }
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (c) {
            var i = c.dataIndex;
            if (c.datasetIndex !== 0) return c.dataset.label + ': ' + signed(c.parsed.x);
            var how = e.exact[i] ? 'exact (replayed)' : e.lo[i] === null ? 'estimated, no interval' : 'estimated, interval ' + signed(e.lo[i]) + ' to ' + signed(e.hi[i]) + ' (' + e.tags[i] + ')';
            return c.dataset.label + ': ' + signed(c.parsed.x) + ', ' + how;
          } } }
        }
      }
    });
  }

  function spread(points) {
    var a = Infinity, b = -Infinity;
    points.forEach(function (p) { a = Math.min(a, p[0], p[1]); b = Math.max(b, p[0], p[1]); });
    return isFinite(b - a) ? b - a : 0;
  }

  function scatterChart(s) {
    var canvas = document.getElementById(s.canvas);
    if (!canvas) return;
    var lo = Infinity, hi = -Infinity;
    s.stages.forEach(function (st) { st.points.forEach(function (p) {
      lo = Math.min(lo, p[0], p[1]); hi = Math.max(hi, p[0], p[1]);
    }); });
    if (!isFinite(lo)) { lo = -1; hi = 1; }
    if (lo === hi) { lo -= 1; hi += 1; }
    var pad = (hi - lo) * 0.06; lo -= pad; hi += pad;
    var n = s.stages.reduce(function (m, st) { return m + st.points.length; }, 0);
    var radius = n > 2000 ? 1.5 : n > 500 ? 2 : 3;
    // Overplotting: each stage has its own marker shape, points are translucent, and the stage
    // whose points spread least (a tight cluster others would bury) is drawn on top; the legend
    // hides or shows a stage on click.
    var shapes = ['circle', 'triangle', 'rect', 'rectRot', 'crossRot', 'star', 'rectRounded', 'cross'];
    var sets = s.stages.map(function (st, k) {
      return { type: 'scatter', label: st.name, data: st.points.map(function (p) { return { x: p[0], y: p[1] }; }),
        backgroundColor: st.colour + '88', borderColor: st.colour, borderWidth: 1, pointStyle: shapes[k % shapes.length],
        pointRadius: radius + 1, pointHoverRadius: radius + 3, order: spread(st.points) };
    });
    sets.push({ type: 'line', label: 'y = x', data: [{ x: lo, y: lo }, { x: hi, y: hi }], borderColor: '#9aa3ad',
      borderDash: [5, 4], borderWidth: 1, pointRadius: 0, fill: false, order: 1e9 });
    new C(canvas, {
      type: 'scatter',
      data: { datasets: sets },
      options: {
        scales: {
          x: { suggestedMin: lo, suggestedMax: hi, title: { display: true, text: 'estimated effect (' + s.unit + ')' }, grid: zeroLine, ticks: { maxTicksLimit: 6 } },
          y: { suggestedMin: lo, suggestedMax: hi, title: { display: true, text: 'true effect, retraining (' + s.unit + ')' }, grid: zeroLine, ticks: { maxTicksLimit: 6 } }
        },
        plugins: {
          legend: { display: true, position: 'bottom', labels: { usePointStyle: true, boxWidth: 8, boxHeight: 8, padding: 8,
            filter: function (item) { return item.text !== 'y = x'; } } },
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ': ' + fmt(c.parsed.x) + ' est., ' + fmt(c.parsed.y) + ' true'; } } }
        }
      }
    });
  }

  function interventionChart(iv) {
    var canvas = document.getElementById(iv.canvas);
    if (!canvas) return;
    var pct = function (a) { return a.map(function (v) { return isFinite(v) ? v * 100 : null; }); };
    new C(canvas, {
      type: 'bar',
      data: { labels: iv.groups, datasets: [
        { label: 'before', data: pct(iv.before), backgroundColor: '#c3c9d1', borderRadius: 3 },
        { label: 'after', data: pct(iv.after), backgroundColor: '#4e79a7', borderRadius: 3 }
      ] },
      options: {
        scales: {
          y: { min: 0, max: 100, title: { display: true, text: 'accuracy (%)' } },
          x: { grid: { display: false }, ticks: { color: col.ink } }
        },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 12, boxHeight: 12 } },
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ': ' + c.parsed.y.toFixed(1) + '%'; } } }
        }
      }
    });
  }

  effectsChart(data.effects);
  data.scatters.forEach(scatterChart);
  if (data.intervention) interventionChart(data.intervention);
  document.documentElement.setAttribute('data-charts', 'ready');
})();
`;
