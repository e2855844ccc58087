import type { AgreementStats } from '../../attribution/agreement.js';
import { scatterCanvasId } from '../chartData.js';
import { fmt, fmtPercent, fmtSigned, isNum } from '../format.js';
import { html, raw, type Html } from '../html.js';
import { stageColour } from '../palette.js';
import type { HeadlineEffects, Results } from '../results.js';
import { figureTag, harm } from '../headline.js';
import { stageFigure } from '../../attribution/conclusions.js';


function statsLine(name: string, s: AgreementStats | undefined, colour: string | null): Html {
  const why = s?.undefinedBecause?.pearson ? ` (${s.undefinedBecause.pearson})` : '';
  return html`<li>${colour ? html`<span class="swatch stage" style="${raw(`background: ${colour}`)}"></span>` : ''}<span class="name" title="${name}">${name}</span>
    <span title="Pearson${why}">r ${fmt(s?.pearson, 2)}</span><span title="Spearman">ρ ${fmt(s?.spearman, 2)}</span></li>`;
}

/** An effect with how it was obtained beneath it ("exact (replayed)" or "±half-width grade"). */
function labelledCell(f: ReturnType<typeof stageFigure>, better: HeadlineEffects['better']): Html {
  const cls = !isNum(f.estimate) || better === 'unknown' || f.estimate === 0 ? '' : harm(f.estimate, better) > 0 ? 'pos' : 'neg';
  return html`<td class="${cls}">${fmtSigned(f.estimate)}<br><small>${figureTag(f)}</small></td>`;
}

/** Without retraining truth: each estimator's mean effect per stage, side by side. */
function estimatesOnly(r: Results, e: HeadlineEffects): Html {
  const stages = r.run.stages.map((s) => s.name);
  const rows = r.attribution.estimates.map((est) => html`<tr class="${est.id === e.estimate ? 'chosen' : ''}"><td class="name id">${est.id}</td>${
    stages.map((_, k) => labelledCell(stageFigure(est, k, e.behaviourIndices), e.better))}</tr>`);
  return html`<p class="note">No retraining check yet: run <code>stagecredit validate ${r.attribution.run.dir}</code> to compare these estimates with the truth from retraining.</p>
  <div class="table-wrap"><table>
    <caption>Mean estimated effect on ${e.behaviour}, by estimator</caption>
    <thead><tr><th>Estimate</th>${stages.map((s) => html`<th>${s}</th>`)}</tr></thead>
    <tbody>${rows}</tbody>
  </table></div>`;
}

export function renderAgreement(r: Results, e: HeadlineEffects): Html {
  const v = r.validation;
  const intro = html`<h2>Estimates against retraining</h2>
  <p class="intro">Each point is one behaviour's effect for one stage: the estimate (no retraining) across, the truth from retraining without that stage up. Points on the dashed line are exact. r is Pearson's and ρ Spearman's correlation across behaviours.</p>`;
  if (!v || v.estimates.length === 0) return html`<section id="agreement">${intro}${estimatesOnly(r, e)}</section>`;
  const stages = r.run.stages.map((s) => s.name);
  const panels = v.estimates.map((est, i) => html`<div class="scatter">
    <h3>${est.id}</h3>
    <p class="rung" title="${est.rung}">${est.rung}</p>
    <div class="chart small"><canvas id="${scatterCanvasId(i)}" role="img" aria-label="${`estimate vs truth for ${est.id}`}"></canvas></div>
    <ul class="stats">${stages.map((s, k) => statsLine(s, est.agreement?.perStage?.[k], stageColour(k)))}${statsLine('all stages pooled', est.agreement?.pooled, null)}</ul>
  </div>`);
  const rows = v.estimates.map((est) => {
    const order = est.agreement?.stageOrder;
    return html`<tr class="${est.id === e.estimate ? 'chosen' : ''}"><td class="name id">${est.id}</td>${
      stages.map((_, k) => html`<td>${fmt(est.agreement?.perStage?.[k]?.pearson, 2)} / ${fmt(est.agreement?.perStage?.[k]?.spearman, 2)}</td>`)}
      <td>${fmt(est.agreement?.pooled?.pearson, 2)}</td>
      <td>${fmtPercent(est.agreement?.pooled?.signAgreement, 0)}</td>
      <td class="${order?.sameOrder ? 'good' : 'bad'}">${order ? (order.sameOrder ? 'yes' : 'no') : '—'}</td>
      <td>${isNum(est.costFraction) ? fmtPercent(est.costFraction) : '—'}</td></tr>`;
  });
  return html`<section id="agreement">${intro}
  <div class="scatters">${panels}</div>
  <div class="table-wrap"><table>
    <caption>Agreement with retraining per stage (Pearson / Spearman across behaviours), pooled, and cost as a share of leave-one-out retraining (${fmt(v.truth.cost.seconds)} s). The highlighted row is the headline estimate.</caption>
    <thead><tr><th>Estimate</th>${stages.map((s) => html`<th>${s}</th>`)}<th>Pooled r</th><th>Same sign</th><th>Stage order</th><th>Cost</th></tr></thead>
    <tbody>${rows}</tbody>
  </table></div>
</section>`;
}
