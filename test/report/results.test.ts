import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadManifest, train } from '../../src/pipeline/index.js';
import { collectResults, writeReport } from '../../src/report/index.js';
import type { Results } from '../../src/report/index.js';
import { scratch, writeJson } from '../pipeline/helpers.js';
import { blobsManifest, HOSTILE, syntheticResults, trainAttributeValidate } from './fixtures.js';

describe('collectResults', () => {
  let dir: string;
  before(async () => {
    dir = join(scratch('stagecredit-report-'), 'run');
    await trainAttributeValidate(dir, blobsManifest(`A run whose description is hostile: ${HOSTILE}`), { validate: false });
  });

  it('tells the user to run `stagecredit attribute` when attribution.json is missing', () => {
    const copy = join(scratch('stagecredit-report-'), 'run');
    trainOnly(copy);
    assert.throws(() => collectResults(copy), (e: Error) => {
      assert.match(e.message, /no attribution\.json/);
      assert.match(e.message, /run `stagecredit attribute .*` first/);
      return true;
    });
  });

  it('says when the directory is not a run', () => {
    assert.throws(() => collectResults(scratch('stagecredit-empty-')), /not a stagecredit run directory \(no run\.json\)/);
  });

  it('collects the run, its estimates and a computed headline; validation is optional', () => {
    const r = collectResults(dir);
    assert.equal(r.format, 'stagecredit-results');
    assert.equal(r.validation, null);
    assert.deepEqual(r.run.stages.map((s) => s.name), ['pretrain', 'finetune', 'align']);
    assert.equal(r.run.stages[0].optimizer, 'SGD lr 0.1 momentum 0.9 wd 0.001, cosine');
    assert.equal(r.run.stages[2].optimizer, 'SGD lr 0.05 momentum 0.9 (Nesterov), constant lr');
    assert.match(r.run.description!, /hostile/);
    assert.equal(r.run.totalSteps, 30 + 14 + 20);
    assert.ok(r.run.stages.every((s) => typeof s.evalAccuracy === 'number'));
    assert.ok(r.headline && r.headline.summary.length > 0);
    assert.ok(r.headlineEffects && r.headlineEffects.perStage.every((s) => s.truth === null));
    // Every figure carries its interval and grade (or is exact), in results.json too.
    for (const s of r.headlineEffects.perStage) {
      assert.ok(s.exact || (s.lo! <= s.estimate && s.estimate <= s.hi! && ['high', 'medium', 'low'].includes(s.grade!)), JSON.stringify(s));
    }
    assert.ok(r.attribution.estimates.filter((e) => e.output !== 'adjoint').every((e) => e.trust && e.trust.lo.length === r.run.stages.length));
    assert.equal(r.topExamples, null);
    assert.equal(r.intervention, null);
  });

  it('merges results-extras.json, with the extras argument winning key by key', () => {
    const extras = syntheticResults({ names: ['pretrain', 'finetune', 'align'] });
    const path = join(dir, 'results-extras.json');
    writeJson(path, { topExamples: extras.topExamples, intervention: extras.intervention, headline: { behaviour: 'loss[1]', blamedStage: 'finetune', creditedStage: null, summary: 'from the file' } });
    try {
      // The extras name the behaviour; the sentences are always decided by conclusions.ts.
      const fromFile = collectResults(dir);
      assert.notEqual(fromFile.headline!.summary, 'from the file');
      assert.equal(fromFile.headline!.behaviour, 'test loss of example 1');
      assert.equal(fromFile.topExamples!.examples.length, 3);
      assert.ok(fromFile.conclusion?.intervention, 'the intervention is judged');
      assert.ok(fromFile.headline!.summary.includes(fromFile.conclusion!.intervention!.sentence));
      const overridden = collectResults(dir, { headline: { behaviour: 'loss[2]' } });
      assert.equal(overridden.headline!.behaviour, 'test loss of example 2');
      assert.ok(overridden.intervention);
    } finally {
      rmSync(path);
    }
  });

  it('rejects malformed extras with the field that is wrong', () => {
    const path = join(dir, 'results-extras.json');
    writeJson(path, { topExamples: { stage: 0, behaviour: 'b', estimator: 'e', examples: [{ index: 0, contribution: 1, label: 'a', image: { channels: 1, height: 2, width: 2, pixels: [0] } }] } });
    try {
      assert.throws(() => collectResults(dir), /results-extras\.json:\n.*topExamples\.examples\.0\.image.*CHW/s);
      writeFileSync(path, '{ not json');
      assert.throws(() => collectResults(dir), /results-extras\.json: not valid JSON/);
    } finally {
      rmSync(path);
    }
    assert.throws(() => collectResults(dir, { topExamples: { stage: 9, behaviour: 'b', estimator: 'e', examples: [] } }), /topExamples\.stage 9 is out of range 0\.\.2/);
  });

  it('refuses a validation.json computed for other behaviours', () => {
    const path = join(dir, 'validation.json');
    const att = JSON.parse(readFileSync(join(dir, 'attribution.json'), 'utf8'));
    writeJson(path, { ...syntheticResults().validation, run: att.run, behaviours: { names: ['other'], better: ['lower'] } });
    try {
      assert.throws(() => collectResults(dir), /validation\.json does not match attribution\.json.*stagecredit validate/);
    } finally {
      rmSync(path);
    }
  });

  it('writeReport writes report.html and results.json, and results.json holds the numbers', () => {
    const { html, json } = writeReport(dir);
    assert.ok(existsSync(html) && existsSync(json));
    const saved = JSON.parse(readFileSync(json, 'utf8')) as Results;
    assert.equal(saved.format, 'stagecredit-results');
    assert.equal(saved.attribution.estimates.length, collectResults(dir).attribution.estimates.length);
    const page = readFileSync(html, 'utf8');
    assert.ok(page.includes(saved.run.stages[1].optimizer));
    assert.ok(!page.includes(HOSTILE) && !page.includes('<script>alert(1)</script>'));
  });
});

/** The state right after `stagecredit train`: a run with no attribution yet. */
function trainOnly(dir: string): void {
  train(loadManifest(writeJson(`${dir}.manifest.json`, blobsManifest())), { out: dir });
}
