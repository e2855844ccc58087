import type { Better } from '../../attribution/behaviours.js';
import { fmtSigned, isNum } from '../format.js';
import { harm } from '../headline.js';
import { html, type Html } from '../html.js';
import { pngDataUri } from '../png.js';
import type { Results, TopExample, TopExamples } from '../results.js';

/** Direction of a behaviour named by a case study: from the attribution when listed, else its name. */
function betterOf(r: Results, behaviour: string): Better {
  const i = r.attribution.behaviours.names.indexOf(behaviour);
  if (i >= 0) return r.attribution.behaviours.better[i];
  if (/loss/i.test(behaviour)) return 'lower';
  if (/margin|probab|accura/i.test(behaviour)) return 'higher';
  return 'unknown';
}

function exampleCard(x: TopExample, better: Better): Html {
  const cls = !isNum(x.contribution) || better === 'unknown' || x.contribution === 0 ? '' : harm(x.contribution, better) > 0 ? 'pos' : 'neg';
  const groups = Object.entries(x.groups ?? {}).map(([k, v]) => html`<br>${k}: ${v}`);
  return html`<div class="example">
    ${x.image ? html`<img src="${pngDataUri(x.image)}" alt="${`training example ${x.index}, label ${x.label}`}" width="${x.image.width}" height="${x.image.height}">` : ''}
    ${x.text !== undefined ? html`<div class="text">${x.text}</div>` : ''}
    <div class="contribution ${cls}">${fmtSigned(x.contribution)}</div>
    <div class="meta">#${x.index} · label ${x.label}${groups}</div>
  </div>`;
}

function tail(title: string, xs: TopExample[], better: Better, wide: boolean): Html {
  if (xs.length === 0) return html``;
  const sum = xs.reduce((a, x) => a + x.contribution, 0);
  return html`<h3 class="tail">${title} <small>(these ${xs.length} sum to ${fmtSigned(sum)})</small></h3>
  <div class="${wide ? 'examples wide' : 'examples'}">${xs.map((x) => exampleCard(x, better))}</div>`;
}

/** The stage's total beside its parts, so single examples larger than the total make sense. */
function totals(top: TopExamples): Html {
  const n = isNum(top.exampleCount) ? `all ${top.exampleCount} examples` : 'all examples';
  return html`<p class="note" id="examples-total">Stage total by this split: <strong>${fmtSigned(top.total)}</strong>
    = ${n} ${fmtSigned(top.examplesSum)} + the stage's own optimizer term ${fmtSigned(top.optimizerTerm)}.
    Examples pushing one way are offset by others pushing the other way, so a few examples can add up to more than the total.</p>`;
}

export function renderExamples(r: Results): Html {
  const top = r.topExamples;
  if (!top) return html``;
  const stage = r.run.stages[top.stage]?.name ?? `#${top.stage}`;
  const better = betterOf(r, top.behaviour);
  // Text needs room to be read; images are small.
  const wide = top.examples.some((x) => x.text !== undefined && !x.image);
  const verb = better === 'higher' ? 'lowered it (blame)' : better === 'lower' ? 'raised it (blame)' : 'raised it';
  return html`<section id="examples">
  <h2>Top training examples of stage “${stage}”</h2>
  <p class="intro">The examples of stage “${stage}” that contribute most to its effect on ${top.behaviour} (estimator <code>${top.estimator}</code>). A contribution is the example's share of the stage's effect, in the same units; its sign says whether the example ${verb} or worked the other way.</p>
  ${isNum(top.total) ? totals(top) : ''}
  ${top.examples.length === 0 ? html`<p class="note">No examples listed.</p>` : html`
  ${tail('Pushed it up the most', top.examples.filter((x) => x.contribution > 0), better, wide)}
  ${tail('Pushed it down the most', top.examples.filter((x) => x.contribution < 0), better, wide)}`}
</section>`;
}
