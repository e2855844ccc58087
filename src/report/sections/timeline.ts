import { fmt, fmtPercent, isNum } from '../format.js';
import { html, raw, type Html } from '../html.js';
import { stageColour } from '../palette.js';
import type { RunInfo } from '../results.js';

// The pipeline as a strip whose segments are proportional to steps, and one card per stage.

/** Below this share of the strip a segment shows no name (the card below carries it). */
const MIN_LABEL_SHARE = 0.08;

export function renderTimeline(run: RunInfo): Html {
  const total = Math.max(run.totalSteps, run.stages.reduce((m, s) => Math.max(m, s.endStep), 0), 1);
  const segments = run.stages.map((s, k) => {
    const share = (s.endStep - s.startStep) / total;
    return html`<div class="seg" style="${raw(`flex: ${share.toFixed(6)} 1 0; background: ${stageColour(k)}`)}" title="${s.name}">${share >= MIN_LABEL_SHARE ? html`<span>${s.name}</span>` : ''}</div>`;
  });
  // Tick at every boundary, skipping ones that would crowd the previous label.
  const ticks: Html[] = [];
  let last = -1;
  const bounds = [0, ...run.stages.map((s) => s.endStep)];
  bounds.forEach((b, i) => {
    const pos = b / total;
    if (i > 0 && i < bounds.length - 1 && (pos - last < 0.07 || 1 - pos < 0.07)) return;
    ticks.push(html`<span style="${raw(`left: ${(pos * 100).toFixed(3)}%`)}">${i === bounds.length - 1 ? `${b} steps` : String(b)}</span>`);
    last = pos;
  });
  const cards = run.stages.map((s, k) => html`<article class="card" style="${raw(`border-top-color: ${stageColour(k)}`)}">
    <h3>${k + 1}. ${s.name}</h3>
    ${s.description ? html`<p class="desc">${s.description}</p>` : ''}
    <dl>
      <dt>Steps</dt><dd>${s.startStep}–${s.endStep} (${s.endStep - s.startStep})</dd>
      <dt>Data</dt><dd>${s.data}${s.dataSummary ? html`: ${s.dataSummary}` : ''}</dd>
      <dt>Optimizer</dt><dd>${s.optimizer}</dd>
      <dt>Train loss</dt><dd>${fmt(s.trainLoss)}</dd>
      <dt>Eval loss</dt><dd>${fmt(s.evalLoss)}</dd>
    </dl>
    <div class="acc">${isNum(s.evalAccuracy) ? fmtPercent(s.evalAccuracy) : '—'} <small>eval accuracy after this stage</small></div>
  </article>`);
  return html`<section id="pipeline">
  <h2>Training pipeline</h2>
  <p class="intro">${run.stages.length} stages, ${run.totalSteps} steps in all, trained in ${fmt(run.trainSeconds)} s. Widths are proportional to steps.</p>
  <div class="timeline">
    <div class="track" role="img" aria-label="stages in training order">${segments}</div>
    <div class="ticks">${ticks}</div>
  </div>
  <div class="cards">${cards}</div>
</section>`;
}
