import { fmt, fmtSigned, isNum } from '../format.js';
import { html, raw, type Html } from '../html.js';
import type { HeadlineEffects, Results } from '../results.js';
import { effectCell } from './effects.js';
import { selectionMean, shapleySignNotes } from '../headline.js';

// Shapley values over stages and pairwise interactions, from replaying every subset of stages.


/** Background shade for an interaction: stronger for larger magnitude; the sign picks the hue. */
function shade(v: number, max: number): string {
  if (!isNum(v) || max <= 0 || v === 0) return '';
  const alpha = Math.min(1, Math.abs(v) / max) * 0.35;
  return `background: rgba(${v > 0 ? '209, 73, 91' : '27, 158, 119'}, ${alpha.toFixed(3)})`;
}

export function renderShapley(r: Results, e: HeadlineEffects): Html {
  const sub = r.validation?.subsets;
  if (!sub) return html``;
  const stages = r.run.stages.map((s) => s.name);
  const rows = stages.map((s, k) => html`<tr><td class="name">${s}</td>${effectCell(e.perStage[k]?.truth, e.better)}${effectCell(selectionMean(sub.addOne?.[k], e), e.better)}${effectCell(e.perStage[k]?.shapley, e.better)}</tr>`);
  const gap = selectionMean(sub.additivityGap, e);
  // Where a Shapley value and the leave-one-out effect disagree in sign, say why (interaction).
  const notes = r.conclusion?.shapley ?? shapleySignNotes(e);
  const I = sub.interactions?.mean ?? [];
  const absI = sub.interactions?.meanAbs ?? [];
  const max = Math.max(0, ...I.flat().filter(isNum).map(Math.abs));
  const matrix = stages.map((s, j) => html`<tr><td class="name">${s}</td>${stages.map((_, k) => j === k
    ? html`<td>·</td>`
    : html`<td style="${raw(shade(I[j]?.[k] ?? NaN, max))}">${fmtSigned(I[j]?.[k])}<br><small>|I| ${fmt(absI[j]?.[k])}</small></td>`)}</tr>`);
  return html`<section id="shapley">
  <h2>Shapley values and interactions</h2>
  <p class="intro">From retraining every subset of stages (${sub.cost.replays} replays, ${fmt(sub.cost.seconds)} s). Leave-one-out effects need not add up to the whole pipeline's effect because stages interact; the Shapley value shares each interaction fairly between the stages involved. Means over ${e.behaviour}.</p>
  <div class="table-wrap"><table>
    <thead><tr><th>Stage</th><th>Leave-one-out (truth)</th><th>Alone (add-one)</th><th>Shapley value</th></tr></thead>
    <tbody>${rows}</tbody>
  </table></div>
  ${notes.map((n) => html`<p class="note sign-note">${n.sentence}</p>`)}
  <p class="note">Additivity gap: (all stages − no stages) − Σ leave-one-out = ${fmtSigned(gap)}${e.unit ? ` ${e.unit}` : ''}, the part of the pipeline's effect that leave-one-out effects miss.</p>
  <div class="table-wrap"><table>
    <caption>Pairwise interactions I<sub>jk</sub> = f(all) − f(all∖j) − f(all∖k) + f(all∖{j,k}), averaged over all behaviours (below: mean magnitude, which does not let opposite signs cancel). Zero means the two stages act additively.</caption>
    <thead><tr><th></th>${stages.map((s) => html`<th>${s}</th>`)}</tr></thead>
    <tbody>${matrix}</tbody>
  </table></div>
</section>`;
}
