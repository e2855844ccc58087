import type { EstimateRecord } from '../../attribution/attribute.js';
import type { Cost } from '../../attribution/estimators/index.js';
import type { ValidatedEstimate } from '../../attribution/validate.js';
import { fmtCount, fmtPercent, fmtSeconds, isNum } from '../format.js';
import { html, type Html } from '../html.js';
import type { Results } from '../results.js';

// What each estimate cost, measured, next to what retraining cost.

/** The rung of this output: a rung written "E0 (exact output) / E1 (linear output)" names both. */
export function rungOf(e: Pick<EstimateRecord, 'rung' | 'output'>): string {
  const both = /^(.+?) \(exact output\) \/ (.+?) \(linear output\)$/.exec(e.rung);
  if (both) return e.output === 'exact' ? both[1] : e.output === 'linear' ? both[2] : e.rung;
  return e.rung;
}

function operations(c: Cost): string {
  const parts = ([['gradients', c.gradients], ['HVPs', c.hvps], ['JVPs', c.jvps], ['forwards', c.forwards]] as const)
    .filter(([, n]) => isNum(n) && n > 0)
    .map(([name, n]) => `${fmtCount(n)} ${name}`);
  return parts.length ? parts.join(', ') : '—';
}

export function renderCost(r: Results): Html {
  const v = r.validation;
  const truthSeconds = v?.truth?.cost?.seconds;
  const budget = r.attribution.budget;
  const validated = new Map<string, ValidatedEstimate>((v?.estimates ?? []).map((e) => [e.id, e]));
  const rows = r.attribution.estimates.map((e) => {
    const c = e.cost;
    const fraction = validated.get(e.id)?.costFraction;
    return html`<tr><td class="name id">${e.id}</td><td class="left">${rungOf(e)}</td><td>${fmtSeconds(c.seconds)}${c.reused ? html` <small>(stored)</small>` : ''}</td><td>${fmtSeconds(c.scoringSeconds)}</td>
      <td>${operations(c)}</td><td>${fmtCount(c.stepsReplayed)}</td><td>${isNum(fraction) ? fmtPercent(fraction) : '—'}</td></tr>`;
  });
  const retrain = (label: string, c: { seconds: number; replays: number; stepsReplayed: number } | undefined) => c
    ? html`<tr><td class="name">${label}</td><td class="left">${c.replays} replays</td><td>—</td><td>${fmtSeconds(c.seconds)}</td><td>—</td><td>${fmtCount(c.stepsReplayed)}</td>
      <td>${isNum(truthSeconds) && truthSeconds > 0 ? fmtPercent(c.seconds / truthSeconds) : '—'}</td></tr>`
    : '';
  return html`<section id="cost">
  <h2>Cost</h2>
  <p class="intro">Measured on this machine. An estimator's embedding is computed once and shared by its linear and exact outputs; scoring is per behaviour set. HVPs and JVPs are Hessian- and Jacobian-vector products; steps replayed are training steps recomputed along the factual run (the run itself took ${fmtCount(r.run.totalSteps)} steps, ${fmtSeconds(r.run.trainSeconds)}).${isNum(truthSeconds) ? ' The last column is the total time as a share of retraining without each stage.' : ''}</p>
  <div class="table-wrap"><table>
    <thead><tr><th>Estimate</th><th class="left">Rung</th><th>Embedding</th><th>Scoring</th><th>Operations</th><th>Steps replayed</th><th>Of retraining</th></tr></thead>
    <tbody>${rows}${budget ? html`<tr><td class="name">exact replays (budget ${budget.requested})</td><td class="left">${budget.replayed.length ? budget.replayed.join(', ') : 'none'}</td><td>—</td><td>${fmtSeconds(budget.seconds)}</td><td>—</td><td>${fmtCount(budget.stepsReplayed)} of ${fmtCount(Math.max(budget.budgetSteps, 0))}</td><td>—</td></tr>` : ''}${retrain('retraining without each stage', v?.truth?.cost)}${retrain('retraining every subset', v?.subsets?.cost)}</tbody>
  </table></div>
</section>`;
}
