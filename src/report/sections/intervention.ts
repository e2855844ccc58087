import { fmt, fmtPercent, fmtSigned, isNum } from '../format.js';
import { html, type Html } from '../html.js';
import type { Results } from '../results.js';

/** Change in percentage points, coloured good when accuracy rose. */
function delta(before: number, after: number): Html {
  if (!isNum(before) || !isNum(after)) return html`<span class="delta">—</span>`;
  const d = (after - before) * 100;
  const text = `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(1)} pp`;
  return html`<span class="delta ${d > 0 ? 'good' : d < 0 ? 'bad' : ''}">${text}</span>`;
}

export function renderIntervention(r: Results): Html {
  const iv = r.intervention;
  if (!iv) return html``;
  const kpi = (label: string, b: number, a: number) => html`<div class="kpi"><div class="label">${label}</div>
    <div class="value">${fmtPercent(b)} → ${fmtPercent(a)}${delta(b, a)}</div></div>`;
  const lossKpi = (b: number, a: number) => html`<div class="kpi"><div class="label">Mean test loss</div>
    <div class="value">${fmt(b)} → ${fmt(a)}<span class="delta ${a < b ? 'good' : a > b ? 'bad' : ''}">${fmtSigned(a - b)}</span></div></div>`;
  // A case without groups has no worst group: show what it has (accuracy and loss) instead.
  const grouped = iv.before.perGroup.length > 0 && isNum(iv.before.worstGroupAccuracy) && isNum(iv.after.worstGroupAccuracy);
  const cards = [
    kpi('Accuracy', iv.before.accuracy, iv.after.accuracy),
    grouped ? kpi('Worst-group accuracy', iv.before.worstGroupAccuracy!, iv.after.worstGroupAccuracy!) : '',
    isNum(iv.before.loss) && isNum(iv.after.loss) ? lossKpi(iv.before.loss, iv.after.loss) : '',
  ];
  const verdict = r.conclusion?.intervention;
  const rows = iv.before.perGroup.map((g) => {
    const after = iv.after.perGroup.find((x) => x.name === g.name);
    return html`<tr><td class="name">${g.name}</td><td>${fmtPercent(g.accuracy)}</td><td>${fmtPercent(after?.accuracy)}</td><td>${delta(g.accuracy, after?.accuracy ?? NaN)}</td><td>${fmt(g.loss)}</td><td>${fmt(after?.loss)}</td></tr>`;
  });
  return html`<section id="intervention">
  <h2>Intervention</h2>
  <p class="intro">${iv.description}${iv.stage ? html` (stage “${iv.stage}”)` : ''}</p>
  ${verdict ? html`<p class="verdict ${verdict.madeWorse ? 'bad' : 'good'}" id="intervention-verdict">${verdict.sentence}</p>` : ''}
  <div class="kpis">${cards}</div>
  ${rows.length === 0 ? '' : html`<div class="chart small"><canvas id="chart-intervention" role="img" aria-label="per-group accuracy before and after"></canvas></div>
  <div class="table-wrap"><table>
    <thead><tr><th>Group</th><th>Accuracy before</th><th>Accuracy after</th><th>Change</th><th>Loss before</th><th>Loss after</th></tr></thead>
    <tbody>${rows}</tbody>
  </table></div>`}
</section>`;
}
