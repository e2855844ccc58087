import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderReport } from '../../src/report/index.js';
import type { ChartData } from '../../src/report/chartData.js';
import { HOSTILE, syntheticResults } from './fixtures.js';

const SECTIONS = ['Training pipeline', 'Effect of each stage', 'Estimates against retraining', 'Shapley values and interactions', 'Top training examples', 'Intervention', 'Cost'];

/** How an HTML parser splits the page: script elements end at the first `</script`. */
function splitScripts(page: string): { outside: string; scripts: { attrs: string; body: string }[] } {
  const scripts: { attrs: string; body: string }[] = [];
  const outside = page.replace(/<script([^>]*)>([\s\S]*?)<\/script/gi, (_, attrs: string, body: string) => {
    scripts.push({ attrs, body });
    return '';
  });
  return { outside, scripts };
}

function headings(page: string): string[] {
  return [...page.matchAll(/<h2>([\s\S]*?)<\/h2>/g)].map((m) => m[1]);
}

function chartDataOf(page: string): ChartData {
  const block = splitScripts(page).scripts.find((s) => s.attrs.includes('application/json'));
  assert.ok(block, 'the JSON data block');
  return JSON.parse(block.body) as ChartData;
}

describe('renderReport', () => {
  it('has every section given full results', () => {
    const page = renderReport(syntheticResults());
    const hs = headings(page);
    for (const s of SECTIONS) assert.ok(hs.some((h) => h.startsWith(s)), `section "${s}" (got ${hs.join(' | ')})`);
    assert.match(page, /<canvas id="chart-effects"/);
    assert.equal((page.match(/<canvas id="chart-scatter-\d+"/g) ?? []).length, 2);
    assert.match(page, /<canvas id="chart-intervention"/);
    assert.equal((page.match(/<img src="data:image\/png;base64,/g) ?? []).length, 2);
    assert.match(page, /some training text/);
    assert.match(page, /id="headline"/);
  });

  it('is self-contained: Chart.js inline, no external references', () => {
    const page = renderReport(syntheticResults());
    const { outside, scripts } = splitScripts(page);
    assert.equal(scripts.length, 3);
    assert.ok(scripts.every((s) => !/\bsrc=/.test(s.attrs)), 'no external scripts');
    assert.ok(scripts.some((s) => s.body.includes('Chart.js v4')), 'Chart.js is inlined');
    assert.doesNotMatch(outside, /<link\b|\bsrc="(?!data:)|url\(|https?:/i);
    assert.match(page, /Content-Security-Policy" content="default-src 'none'/, 'the page forbids itself any fetch');
  });

  it('escapes hostile names, descriptions, texts and group names everywhere, including the JSON block', () => {
    const names = [`${HOSTILE} one`, `${HOSTILE} two`, 'plain'];
    const page = renderReport(syntheticResults({ names, text: HOSTILE }));
    const { outside, scripts } = splitScripts(page);
    assert.equal(scripts.length, 3, 'no script element injected');
    // Only the markup matters: escaped, "onerror=" is just text.
    assert.doesNotMatch(outside, /<script|<img src=x|<!--/i);
    assert.ok(outside.includes('&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &#39;single&#39; &amp; '));
    const data = chartDataOf(page);
    assert.deepEqual(data.effects.stages, names);
    assert.equal(data.intervention!.groups[0], HOSTILE);
    // The data block's text never contains markup the HTML parser would act on.
    const block = scripts.find((s) => s.attrs.includes('application/json'))!.body;
    assert.doesNotMatch(block, /[<>]/);
  });

  it('degrades gracefully without validation, top examples or intervention', () => {
    const r = syntheticResults({ validation: false, extras: false });
    const page = renderReport(r);
    const hs = headings(page);
    for (const s of ['Training pipeline', 'Effect of each stage', 'Estimates against retraining', 'Cost']) assert.ok(hs.some((h) => h.startsWith(s)), s);
    for (const s of ['Shapley values and interactions', 'Top training examples', 'Intervention']) assert.ok(!hs.some((h) => h.startsWith(s)), `no ${s}`);
    assert.match(page, /No retraining check yet/);
    assert.doesNotMatch(page, /chart-scatter|chart-intervention|<img/);
    const data = chartDataOf(page);
    assert.equal(data.effects.truth, null);
    assert.deepEqual(data.scatters, []);
    assert.equal(data.intervention, null);
    assert.doesNotMatch(page, /Retraining truth|retraining truth</);
  });

  it('omits the Shapley section when validation has no subsets, and computes a missing headline', () => {
    const r = syntheticResults();
    r.validation!.subsets = null;
    delete r.headline;
    delete r.headlineEffects;
    const page = renderReport(r);
    assert.ok(!headings(page).some((h) => h.startsWith('Shapley')));
    assert.match(page, /is the one most responsible for raising/);
    assert.match(page, /<strong class="blame">“finetune”<\/strong>/);
  });

  it('sets the headline\'s stage names in credit and blame colours, in either quote style, still escaped', () => {
    const r = syntheticResults({ names: ['a<b>', 'finetune', 'align'] });
    r.headline = { behaviour: 'loss[0]', blamedStage: 'finetune', creditedStage: 'a<b>', summary: 'Stage "finetune" raised it; a<b> lowered it.', estimate: 'task-vector/linear' };
    const page = renderReport(r);
    assert.match(page, /<strong class="blame">&quot;finetune&quot;<\/strong> raised it; <strong class="credit">a&lt;b&gt;<\/strong> lowered it\./);
    assert.match(page, /Estimate: <code>task-vector\/linear<\/code>, the estimate the headline is based on/);
  });

  it('shows NaN statistics (null in JSON) as a dash instead of failing', () => {
    const r = syntheticResults();
    const stats = r.validation!.estimates[0].agreement.perStage[0] as unknown as Record<string, unknown>;
    stats.pearson = null;
    stats.spearman = Number.NaN;
    const page = renderReport(JSON.parse(JSON.stringify(r)));
    assert.match(page, /r —/);
  });

  it('shows both tails of the top examples and the stage total they belong to (issue 11.12)', () => {
    const r = syntheticResults();
    const top = r.topExamples!;
    top.examples = [
      { index: 1, contribution: 0.25, label: 'a' }, { index: 2, contribution: 0.12, label: 'b' },
      { index: 3, contribution: -0.07, label: 'c' }, { index: 4, contribution: -0.02, label: 'd' },
    ];
    Object.assign(top, { total: 0.28, examplesSum: 0.26, optimizerTerm: 0.02, exampleCount: 120 });
    const page = renderReport(r);
    assert.match(page, /Pushed it up the most <small>\(these 2 sum to \+0\.37\)/);
    assert.match(page, /Pushed it down the most <small>\(these 2 sum to −0\.09\)/);
    assert.match(page, /Stage total by this split: <strong>\+0\.28<\/strong>\s+= all 120 examples \+0\.26 \+ the stage's own optimizer term \+0\.02/);
  });

  it('says where a Shapley value has the opposite sign to the leave-one-out effect, and why (issue 11.13)', () => {
    const r = syntheticResults();
    delete r.headline;
    delete r.headlineEffects;
    r.validation!.subsets!.shapley[2] = r.validation!.truth.leaveOneOut[2].map((v) => -v);
    const page = renderReport(r);
    assert.match(page, /<p class="note sign-note">“align”: the Shapley value \(.+?\) has the opposite sign to the leave-one-out effect .*share of its interactions with the other stages/);
    const same = syntheticResults();
    assert.doesNotMatch(renderReport(same), /sign-note/);
  });

  it('shows accuracy and loss, not a repeated "worst-group" card, when the case has no groups (issue 11.14)', () => {
    const r = syntheticResults();
    r.intervention = {
      description: 'retrain without the blamed stage', stage: 'finetune',
      before: { accuracy: 0.8, worstGroupAccuracy: null, loss: 0.6, perGroup: [] },
      after: { accuracy: 0.7, worstGroupAccuracy: null, loss: 0.9, perGroup: [] },
    };
    delete r.headline;
    delete r.headlineEffects;
    const page = renderReport(r);
    assert.doesNotMatch(page, /Worst-group accuracy/);
    assert.match(page, /Mean test loss/);
    assert.match(page, /id="intervention-verdict">The intervention made the model worse: .*accuracy 80\.0% → 70\.0%/);
  });

  it('labels every effect with its interval and grade in the table, the chart data and the headline', () => {
    const r = syntheticResults();
    delete r.headline;
    delete r.headlineEffects;
    for (const e of r.attribution.estimates) {
      e.trust = { level: 0.9, lo: e.effects.map((row) => row.map((v) => v - 0.1)), hi: e.effects.map((row) => row.map((v) => v + 0.1)), grade: ['high', 'medium', 'low'], reasons: [[], [], []], method: 'test' };
      e.replayed = [false, false, true];
    }
    const page = renderReport(r);
    const d = chartDataOf(page).effects;
    assert.deepEqual(d.exact, [false, false, true]);
    assert.deepEqual(d.tags.slice(0, 2), ['±0.1 high', '±0.1 medium']);
    assert.equal(d.tags[2], 'exact (replayed)');
    d.estimate.forEach((v, k) => assert.ok(d.lo[k]! <= v! && v! <= d.hi[k]!));
    assert.match(page, /<td class="left how">estimated, grade medium<\/td>/);
    assert.match(page, /<td class="left how">exact \(replayed\)<\/td>/);
    assert.match(page, /90% interval/);
  });
});
