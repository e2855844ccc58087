import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CASES, runDemo } from '../../src/cases/index.js';
import { escapeHtml } from '../../src/report/escape.js';

// Every case study end to end in --quick mode: trains, attributes, validates against retraining,
// applies its intervention and writes the report.

for (const cs of CASES) {
  const why = cs.unavailable?.() ?? null;
  test(`case "${cs.name}" runs end to end with --quick`, { skip: why ?? false }, async () => {
    const out = mkdtempSync(join(tmpdir(), `stagecredit-case-${cs.name}-`));
    const phases: string[] = [];
    const s = await runDemo({ case: cs.name, quick: true, out, onPhase: (m) => phases.push(m) });
    assert.equal(s.case, cs.name);
    assert.ok(phases.some((p) => p.startsWith('training')) && phases.includes('writing the report'), phases.join(' | '));
    for (const f of ['attribution.json', 'validation.json', 'results.json', 'report.html']) assert.ok(existsSync(join(s.runDir, f)), `${f} written`);
    const results = JSON.parse(readFileSync(join(s.runDir, 'results.json'), 'utf8'));
    assert.equal(results.format, 'stagecredit-results');
    assert.equal(s.perStage.length, results.run.stages.length);
    for (const p of s.perStage) assert.ok(Number.isFinite(p.estimate) && Number.isFinite(p.truth), `${p.stage} effects are finite`);
    for (const a of s.agreement) assert.ok(a.costFraction > 0, `${a.id} cost measured`);
    // One decision everywhere: the demo's conclusion is the one results.json and the report state,
    // with every retraining check and the intervention's verdict in the headline.
    assert.equal(results.headline.summary, s.conclusion.headline.summary);
    for (const c of s.conclusion.retraining) {
      assert.ok(results.headline.summary.includes(c.sentence), c.sentence);
      if (c.verdict !== 'confirms') assert.doesNotMatch(results.headline.summary, new RegExp(`confirms “${c.stage}”`));
    }
    if (s.conclusion.intervention?.madeWorse) assert.match(results.headline.summary, /made the (worst group|model) worse/);
    const page = readFileSync(s.reportPath, 'utf8');
    for (const c of s.conclusion.retraining) assert.ok(page.includes(escapeHtml(c.sentence)), `report states: ${c.sentence}`);
    if (cs.intervention && s.blamedStage) {
      assert.ok(s.intervention, 'the intervention ran');
      assert.ok(s.intervention.after.perGroup.length === s.intervention.before.perGroup.length);
    }
  });
}

test('the default demo names the biased stage and rebalancing it helps the worst group (quick)', async () => {
  const s = await runDemo({ quick: true, out: mkdtempSync(join(tmpdir(), 'stagecredit-default-')) });
  assert.equal(s.case, 'spurious-image');
  assert.equal(s.blamedStage, 'biased-finetune');
  assert.ok(s.blameMatchesTruth, 'retraining blames the same stage');
  assert.ok(s.intervention!.after.worstGroupAccuracy! > s.intervention!.before.worstGroupAccuracy! + 0.05,
    `worst group ${s.intervention!.before.worstGroupAccuracy} -> ${s.intervention!.after.worstGroupAccuracy}`);
});
