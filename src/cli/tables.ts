import Table from 'cli-table3';
import type { AttributionReport, ValidationReport } from '../attribution/index.js';
import { decide, figureTag, selectionMean, shapleySignNotes, signed, stageFigure, type Conclusion } from '../attribution/conclusions.js';

// Readable tables for the terminal, at most 100 columns wide: a table that would be wider is split
// into several, each repeating the stage column. Every effect says how it was obtained: "exact
// (replayed)" or "± half-width of its interval (grade)".

export const MAX_WIDTH = 100;

const fmt = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(digits);

export const meanOf = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : NaN;
};

function render(head: string[], rows: string[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const r of rows) t.push(r);
  return t.toString();
}

const widthOf = (s: string) => Math.max(...s.split('\n').map((l) => [...l].length));

/**
 * The table, split by columns into as many tables as it takes to keep each within `maxWidth`
 * (the first `keep` columns repeat in each). A single column wider than the limit stays whole.
 */
export function fitTables(head: string[], rows: string[][], keep = 1, maxWidth = MAX_WIDTH): string {
  const cols = (idx: number[]) => render(idx.map((i) => head[i]), rows.map((r) => idx.map((i) => r[i] ?? '')));
  const fixed = Array.from({ length: keep }, (_, i) => i);
  const out: string[] = [];
  let chunk: number[] = [];
  for (let c = keep; c < head.length; c++) {
    if (chunk.length > 0 && widthOf(cols([...fixed, ...chunk, c])) > maxWidth) {
      out.push(cols([...fixed, ...chunk]));
      chunk = [];
    }
    chunk.push(c);
  }
  if (chunk.length > 0 || out.length === 0) out.push(cols([...fixed, ...chunk]));
  return out.join('\n');
}

/** Every estimate's effect per stage on the headline behaviour, each with how it was obtained. */
export function attributionTable(r: AttributionReport, c: Conclusion, maxWidth = MAX_WIDTH): string {
  const idx = c.effects.behaviourIndices;
  const rows = r.run.stages.map((s, k) => [s.name, ...r.estimates.map((e) => {
    const f = stageFigure(e, k, idx);
    return `${signed(f.estimate)} ${f.exact ? 'exact' : figureTag(f)}`;
  })]);
  rows.push(['cost (s)', ...r.estimates.map((e) => fmt(e.cost.seconds + e.cost.scoringSeconds, 3) + (e.cost.reused ? ' (cached)' : ''))]);
  return fitTables(['stage', ...r.estimates.map((e) => e.id)], rows, 1, maxWidth);
}

/** The headline estimate per stage: value, interval, how sure, and retraining's value when known. */
export function conclusionTable(c: Conclusion, maxWidth = MAX_WIDTH): string {
  const e = c.effects;
  const hasTruth = e.perStage.some((s) => s.truth !== null);
  const level = e.perStage.find((s) => s.level !== null && !s.exact)?.level;
  const head = ['stage', 'effect', `${level ? `${Math.round(100 * level)}% ` : ''}interval`, 'how obtained', ...(hasTruth ? ['retraining'] : [])];
  const rows = e.perStage.map((s) => [
    s.stage, signed(s.estimate),
    s.exact ? '(exact)' : s.lo === null || s.hi === null ? '–' : `${signed(s.lo)} to ${signed(s.hi)}`,
    s.exact ? 'exact (replayed)' : `estimated${s.grade ? `, grade ${s.grade}` : ''}`,
    ...(hasTruth ? [signed(s.truth)] : []),
  ]);
  return fitTables(head, rows, 1, maxWidth);
}

/** The conclusion as the CLI prints it: what it is about, the table, then one sentence a line. */
export function conclusionText(c: Conclusion): string {
  const e = c.effects;
  return [
    wrapText(`Effect on ${e.behaviour}${e.unit ? `, in ${e.unit}` : ''}: ${e.estimate} (${e.estimateReason}); > 0 means the stage raised it.`),
    conclusionTable(c),
    ...c.sentences.map((s) => wrapText(s)),
  ].join('\n');
}

/** Prose wrapped at word boundaries to fit a terminal (continuation lines indented by two). */
export function wrapText(text: string, width = MAX_WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if ([...next].length > width && line) {
      lines.push(line);
      line = `  ${word}`;
    } else line = next;
  }
  lines.push(line);
  return lines.join('\n');
}

/** The conclusion a validation report supports on its own (its estimates are the attribution's). */
export function conclusionOfValidation(v: ValidationReport): Conclusion {
  return decide({ ...v, format: 'stagecredit-attribution' }, v);
}

/** Pearson correlation with retraining per stage, the true mean effect, and cost. */
export function validationTable(v: ValidationReport, c: Conclusion = conclusionOfValidation(v), maxWidth = MAX_WIDTH): string {
  const idx = c.effects.behaviourIndices;
  const rows = v.run.stages.map((s, k) => [s.name, signed(selectionMean(v.truth.leaveOneOut[k], c.effects)), ...v.estimates.map((e) => {
    const a = e.agreement.perStage[k];
    const f = stageFigure(e, k, idx);
    return `r=${fmt(a.pearson, 2)} ρ=${fmt(a.spearman, 2)}\n${signed(f.estimate)} ${f.exact ? 'exact' : figureTag(f)}`;
  })]);
  rows.push(['pooled', '', ...v.estimates.map((e) => `r=${fmt(e.agreement.pooled.pearson, 3)} sign=${fmt(e.agreement.pooled.signAgreement, 2)}`)]);
  rows.push(['stage order', '', ...v.estimates.map((e) => (e.agreement.stageOrder.sameOrder ? 'as truth' : 'differs'))]);
  rows.push(['cost vs retraining', fmt(v.truth.cost.seconds, 2) + ' s', ...v.estimates.map((e) => `${(100 * e.costFraction).toFixed(1)}%`)]);
  return fitTables(['stage', 'truth', ...v.estimates.map((e) => e.id)], rows, 2, maxWidth);
}

export function noiseTable(v: ValidationReport): string | null {
  if (!v.noise) return null;
  const t = new Table({ head: ['stage', 'mean std of tau across seeds', 'Pearson between seeds\' truths'], style: { head: [], border: [] } });
  v.run.stages.forEach((s, k) => t.push([s.name, fmt(v.noise!.meanStd[k]), fmt(v.noise!.crossSeedPearson[k], 3)]));
  return t.toString();
}

/** Exact leave-one-out, Shapley and add-one effects on the headline behaviour, with sign notes. */
export function shapleyTable(v: ValidationReport, c: Conclusion = conclusionOfValidation(v)): string | null {
  if (!v.subsets) return null;
  const e = c.effects;
  const rows = v.run.stages.map((s, k) => [s.name, signed(e.perStage[k].truth), signed(e.perStage[k].shapley), signed(selectionMean(v.subsets!.addOne[k], e))]);
  const notes = shapleySignNotes(e);
  return [
    `on ${e.behaviour}:`,
    fitTables(['stage', 'leave-one-out', 'Shapley', 'add-one'], rows),
    `additivity gap: ${signed(selectionMean(v.subsets.additivityGap, e))}`,
    ...notes.map((n) => n.sentence),
  ].join('\n');
}
