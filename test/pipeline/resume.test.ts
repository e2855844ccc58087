import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadManifest, openRun, train, type RunStatus } from '../../src/pipeline/index.js';
import { assertSameBits, blobsManifest, FIXTURES, REPO_ROOT, scratch, writeJson } from './helpers.js';

// Kill-and-resume: a child process trains and is SIGKILLed mid-stage; `train` on the same
// directory resumes from the last checkpoint and must end bit-identical to an uninterrupted run.
// The middle stage carries momentum across the boundary, so resuming must restore optimizer state.

const STAGES = [
  { name: 'pretrain', data: 'a', steps: 20, batchSize: 16, optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9 }, schedule: { kind: 'cosine' } },
  { name: 'finetune', data: 'b', steps: 30, batchSize: 16, optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.8, weightDecay: 0.01 }, optimizerState: 'carry' },
  { name: 'align', data: 'a', steps: 12, batchSize: 16, optimizer: { kind: 'adamw', lr: 0.01 } },
];

interface Killed {
  signal: NodeJS.Signals | null;
  lines: string[];
}

/** Runs the child until it parks at `finetune` step >= 12, then SIGKILLs it. */
function trainAndKill(manifest: string, out: string, every: number): Promise<Killed> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(FIXTURES, 'trainChild.ts'), manifest, out, String(every), '1', '12'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (line.startsWith('parked')) child.kill('SIGKILL');
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ signal, lines });
      else reject(new Error(`the child exited with code ${code} before it was killed:\n${lines.join('\n')}\n${stderr}`));
    });
  });
}

for (const [every, expected] of [[7, 'checkpoints/step-00000028.safetensors'], [0, 'checkpoints/boundary-1.safetensors']] as const) {
  test(`SIGKILL mid-stage, then resume from ${expected.split('/')[1]}: bit-identical to an uninterrupted run`, { timeout: 60_000 }, async () => {
    const dir = scratch();
    const manifest = writeJson(join(dir, 'pipeline.json'), blobsManifest(STAGES));
    const out = join(dir, 'killed');

    const killed = await trainAndKill(manifest, out, every);
    assert.equal(killed.signal, 'SIGKILL');
    assert.ok(killed.lines.includes('parked 32'), `the child parked elsewhere:\n${killed.lines.join('\n')}`);
    const status = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunStatus;
    assert.equal(status.status, 'running');
    assert.equal(status.latestCheckpoint, expected);

    const resumed = train(loadManifest(manifest), { out, checkpointEvery: every });
    assert.equal(resumed.resumedFrom, expected);
    assert.equal(resumed.alreadyComplete, false);
    assert.equal(resumed.status.status, 'complete');
    assert.deepEqual(resumed.status.stages.map((s) => s.name), ['pretrain', 'finetune', 'align']);

    const reference = train(loadManifest(manifest), { out: join(dir, 'reference') });
    assert.equal(reference.resumedFrom, null);
    assertSameBits(resumed.finalParams, reference.finalParams, 'final parameters');
    // Every boundary, optimizer state included, is the same as well.
    const [a, b] = [openRun(out), openRun(join(dir, 'reference'))];
    for (let k = 1; k <= 3; k++) {
      assertSameBits(a.boundary(k).params, b.boundary(k).params, `boundary ${k} parameters`);
      const [sa, sb] = [a.boundary(k).optimizer!, b.boundary(k).optimizer!];
      assert.equal(sa.step, sb.step);
      assert.deepEqual(Object.keys(sa.slots), Object.keys(sb.slots));
      for (const slot of Object.keys(sa.slots)) assertSameBits(sa.slots[slot], sb.slots[slot], `boundary ${k} ${slot}`);
    }
  });
}
