import type { Better } from '../../attribution/behaviours.js';
import { fmtSigned, isNum, type MaybeNumber } from '../format.js';
import { harm } from '../headline.js';
import { html, raw, type Html } from '../html.js';
import type { HeadlineEffects } from '../results.js';

/** A signed effect, coloured as credit or blame for a behaviour where `better` is good. */
export function effectCell(v: MaybeNumber, better: Better): Html {
  if (!isNum(v) || better === 'unknown' || v === 0) return html`<td>${fmtSigned(v)}</td>`;
  return html`<td class="${harm(v, better) > 0 ? 'pos' : 'neg'}">${fmtSigned(v)}</td>`;
}

export function creditBlameLegend(withTruth: boolean, better: Better): Html {
  const colours = better === 'unknown'
    ? html`<span><span class="swatch" style="${raw('background: var(--neutral)')}"></span>effect (this behaviour has no better direction)</span>`
    : html`<span><span class="swatch credit"></span>credit: the stage improved it</span>
      <span><span class="swatch blame"></span>blame: the stage made it worse</span>`;
  const kinds = html`<span>solid bar = estimate, whisker = its interval, ◆ = exact (replayed)${withTruth ? ' · pale outlined bar = retraining truth' : ''}</span>`;
  return html`<div class="legend">${colours}${kinds}</div>`;
}

export function renderEffects(e: HeadlineEffects): Html {
  const hasTruth = e.perStage.some((s) => s.truth !== null);
  const hasShapley = e.perStage.some((s) => s.shapley !== null);
  const height = Math.max(180, e.perStage.length * (hasTruth ? 64 : 44) + 70);
  const level = e.perStage.find((s) => !s.exact && isNum(s.level))?.level;
  const rows = e.perStage.map((s) => html`<tr><td class="name">${s.stage}</td>${effectCell(s.estimate, e.better)}
    <td>${s.exact ? '—' : isNum(s.lo) && isNum(s.hi) ? `${fmtSigned(s.lo)} to ${fmtSigned(s.hi)}` : '—'}</td>
    <td class="left how">${s.exact ? 'exact (replayed)' : `estimated${s.grade ? `, grade ${s.grade}` : ''}`}</td>${hasTruth ? effectCell(s.truth, e.better) : ''}${hasShapley ? effectCell(s.shapley, e.better) : ''}</tr>`);
  return html`<section id="effects">
  <h2>Effect of each stage</h2>
  <p class="intro">How much each stage moved ${e.behaviour}, had it never run${e.unit ? ` (in ${e.unit})` : ''}: the
    <code>${e.estimate}</code> estimate${hasTruth ? ', beside the truth from retraining without the stage' : ''}.
    A number is either <em>exact (replayed)</em>, from retraining the later stages without the stage, or
    <em>estimated</em> with an interval meant to hold the truth ${level ? `${Math.round(100 * level)}% of the time` : 'most of the time'} and a grade (high, medium, low) saying how far to trust it.</p>
  ${creditBlameLegend(hasTruth, e.better)}
  <div class="chart" style="${raw(`height: ${height}px`)}"><canvas id="chart-effects" role="img" aria-label="per-stage effects"></canvas></div>
  <div class="table-wrap"><table>
    <thead><tr><th>Stage</th><th>Effect</th><th>${level ? `${Math.round(100 * level)}% ` : ''}interval</th><th class="left">How obtained</th>${hasTruth ? html`<th>Retraining truth</th>` : ''}${hasShapley ? html`<th>Shapley value</th>` : ''}</tr></thead>
    <tbody>${rows}</tbody>
  </table></div>
</section>`;
}
