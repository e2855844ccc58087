import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/main.js';
import { runCli } from './capture.js';

// The command line as a new user meets it: flags in any order, every estimator name the help
// lists, usage errors told apart from failures by the exit code, and every default in --help.


const fixture = join(import.meta.dirname, '..', 'pipeline', 'fixtures', 'blobs.json');
let trained: string | undefined;
async function runDir(): Promise<string> {
  if (!trained) {
    const dir = join(mkdtempSync(join(tmpdir(), 'stagecredit-cli-')), 'run');
    assert.equal((await runCli('train', fixture, '--out', dir)).code, 0);
    trained = dir;
  }
  return trained;
}
const attribution = (dir: string) => JSON.parse(readFileSync(join(dir, 'attribution.json'), 'utf8')) as { behaviours: { names: string[] }; estimates: { id: string }[] };

test('-b before the run directory: the directory is not taken for a behaviour; -b repeats', async () => {
  const dir = await runDir();
  const r = await runCli('attribute', '-b', 'meanLoss', '-b', 'exampleLoss', dir, '-e', 'task-vector');
  assert.equal(r.code, 0, r.err);
  const names = attribution(dir).behaviours.names;
  assert.equal(names[0], 'meanLoss');
  assert.equal(names.length, 1 + 300, 'meanLoss and the loss of each of the 300 evaluation examples');
});

test('-e adjoint (listed by --help) runs E3-adjoint, alone or with other estimators', async () => {
  const dir = await runDir();
  const r = await runCli('attribute', dir, '-e', 'adjoint', '-b', 'meanLoss');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(attribution(dir).estimates.map((e) => e.id), ['adjoint']);
  assert.equal((await runCli('attribute', dir, '-e', 'hessian-free,adjoint', '-b', 'meanLoss', '-o', 'linear')).code, 0);
  assert.deepEqual(attribution(dir).estimates.map((e) => e.id), ['hessian-free/linear', 'adjoint']);
});

test('usage errors exit 2 with the reason and a hint; failures while working exit 1', async () => {
  const cases: [string[], RegExp][] = [
    [['attribute'], /missing required argument 'run-dir'/],
    [['attribute', 'x', '--no-such-flag'], /unknown option '--no-such-flag'/],
    [['attribute', 'x', '-e', 'hessian-fre'], /unknown estimator "hessian-fre" \(known: task-vector, hessian-free, stage-curvature, replay-head, coarse-replay, hessian-aware, adjoint\)/],
    [['attribute', 'x', '-o', 'linear,both'], /unknown mode "both"/],
    [['attribute', 'x', '-b', 'worstGroupLoss'], /behaviour "worstGroupLoss"/],
    [['validate', 'x', '--seeds', 'two'], /expected an integer >= 1/],
    [['attribute', 'run-a', 'run-b'], /too many arguments/],
    [['no-such-command'], /unknown command 'no-such-command'/],
    [['train', fixture], /required option '--out <dir>' not specified/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.err}`);
    assert.match(r.err, message, args.join(' '));
    assert.match(r.err, /--help/, `${args.join(' ')}: the error says where usage is`);
  }
  const missing = await runCli('attribute', join(tmpdir(), 'stagecredit-no-such-run'));
  assert.equal(missing.code, 1, missing.err);
  const help = await runCli('--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /Usage: stagecredit/);
  assert.equal((await runCli('attribute', '--help')).code, 0);
});

test('--help shows every option\'s default', () => {
  const program = buildProgram();
  for (const cmd of program.commands) {
    const help = cmd.createHelp();
    for (const opt of cmd.options) {
      if (opt.mandatory) continue; // required: there is no default
      const text = help.optionDescription(opt);
      assert.match(text, /\(default: [^)]+\)/, `stagecredit ${cmd.name()} ${opt.flags}: "${text}"`);
    }
  }
  const attributeHelp = program.commands.find((c) => c.name() === 'attribute')!.helpInformation().replace(/\s+/g, ' ');
  for (const d of ['default: task-vector,hessian-free,stage-curvature', 'default: linear,exact', 'default: 128', 'default: 4', 'default: off', 'default: reuse them', 'default: the manifest\'s evaluation.behaviours, else exampleLoss']) {
    assert.ok(attributeHelp.includes(d), `attribute --help lacks "${d}": ${attributeHelp}`);
  }
});
