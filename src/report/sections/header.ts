import { html, type Html } from '../html.js';
import type { Headline, HeadlineEffects, Results } from '../results.js';

const NAME_CHAR = /[A-Za-z0-9_.\-]/;

/** Where `name` first appears in `text` as a stage name: in curly or straight quotes, else as a whole word. */
function findName(text: string, name: string): { at: number; length: number } | null {
  for (const quoted of [`“${name}”`, `"${name}"`]) {
    const at = text.indexOf(quoted);
    if (at >= 0) return { at, length: quoted.length };
  }
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const before = text[at - 1] ?? ' ';
    const after = text[at + name.length] ?? ' ';
    // A trailing full stop ends the sentence, it is not part of the name.
    if (!NAME_CHAR.test(before) && (!NAME_CHAR.test(after) || (after === '.' && !NAME_CHAR.test(text[at + name.length + 1] ?? ' ')))) {
      return { at, length: name.length };
    }
  }
  return null;
}

/** The summary with the blamed and credited stage names set in their colours (first mention each). */
function emphasise(summary: string, h: Headline): Html[] {
  const marks = ([[h.blamedStage, 'blame'], [h.creditedStage, 'credit']] as const)
    .filter((m): m is readonly [string, 'blame' | 'credit'] => m[0] !== null && m[0].length > 0)
    .map(([name, cls]) => ({ ...findName(summary, name), cls }))
    .filter((m): m is { at: number; length: number; cls: 'blame' | 'credit' } => m.at !== undefined)
    .sort((a, b) => a.at - b.at);
  const out: Html[] = [];
  let from = 0;
  for (const m of marks) {
    if (m.at < from) continue; // overlapping names: keep the first
    out.push(html`${summary.slice(from, m.at)}<strong class="${m.cls}">${summary.slice(m.at, m.at + m.length)}</strong>`);
    from = m.at + m.length;
  }
  out.push(html`${summary.slice(from)}`);
  return out;
}

export function renderHeader(r: Results, h: Headline, e: HeadlineEffects): Html {
  const onlyCredit = h.blamedStage === null && h.creditedStage !== null;
  // A blame that retraining does not confirm is not shown as settled: the box turns neutral.
  const disputed = (r.conclusion?.retraining ?? []).some((c) => c.role !== 'credit' && c.verdict !== 'confirms');
  const a = r.attribution;
  return html`<header>
  <div class="eyebrow">stagecredit · stage attribution report</div>
  <h1>${r.run.name}</h1>
  ${r.run.description ? html`<p class="description">${r.run.description}</p>` : ''}
  <div class="headline${onlyCredit ? ' credit-only' : ''}${disputed ? ' disputed' : ''}" id="headline">
    <p class="summary">${emphasise(h.summary, h)}</p>
    <p class="basis">Estimate: <code>${e.estimate}</code>, ${e.estimateReason}. Behaviour: ${h.behaviour}.</p>
  </div>
  <div class="reading">
    <p><strong>How to read the effects.</strong> A stage's effect is the final model's behaviour minus
      what it would have been had that stage never run (every other stage replayed unchanged).
      For a loss, a negative effect means the stage lowered it: <span class="good">credit</span>;
      a positive effect means it raised it: <span class="bad">blame</span>. For a score (margin,
      probability, accuracy) the reverse.</p>
    <p><strong>Units.</strong> Effects are in ${a.units}.
      Estimates need no retraining; where shown, the <em>truth</em> comes from actually retraining
      without each stage.</p>
    <details><summary>Sign convention, as stated in the attribution report</summary><p>${a.signConvention}</p></details>
  </div>
</header>`;
}
