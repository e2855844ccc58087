import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addLabelNoise, addPatch, classCounts, colourise, loadMnist, type Dataset } from '../../src/data/index.js';

const images = loadMnist({ perClass: 60, seed: 1, shape: 'image' }); // 600 digits

function agreement(attr: Int32Array, labelGroup: Int32Array): number {
  let same = 0;
  for (let i = 0; i < attr.length; i++) if (attr[i] === labelGroup[i]) same++;
  return same / attr.length;
}

function assertWithin3Sigma(rate: number, p: number, n: number, what: string): void {
  const sigma = Math.sqrt((p * (1 - p)) / n);
  assert.ok(Math.abs(rate - p) <= 3 * sigma + 1e-12, `${what}: empirical ${rate}, expected ${p} ± ${3 * sigma}`);
}

test('colourise: [3,28,28], strokes in exactly one colour plane, group columns', () => {
  const ds = colourise(images, { correlation: 0.9, seed: 2, colours: 2 });
  assert.deepEqual(ds.featureShape, [3, 28, 28]);
  assert.equal(ds.x.length, 600 * 3 * 784);
  const { colour, labelGroup, group } = ds.groups as Record<string, Int32Array>;
  for (let i = 0; i < ds.n; i++) {
    const c = colour![i]!;
    const src = images.x.subarray(i * 784, (i + 1) * 784);
    assert.deepEqual(ds.x.subarray((3 * i + c) * 784, (3 * i + c + 1) * 784), src);
    for (const other of [0, 1, 2].filter((k) => k !== c)) {
      assert.ok(ds.x.subarray((3 * i + other) * 784, (3 * i + other + 1) * 784).every((v) => v === 0));
    }
    assert.equal(labelGroup![i], ds.y[i]! < 5 ? 0 : 1);
    assert.equal(group![i], 2 * labelGroup![i]! + c);
  }
  assert.deepEqual(ds.groupNames?.group, ['y<5/red', 'y<5/green', 'y>=5/red', 'y>=5/green']);
  assert.deepEqual(ds.groupNames?.colour, ['red', 'green']);
  assert.deepEqual(ds.y, images.y);
});

test('colourise: empirical colour/label-group agreement matches the requested correlation (±3σ)', () => {
  [0.9, 0.5, 0.2].forEach((p, k) => {
    const ds = colourise(images, { correlation: p, seed: 10 + k });
    assertWithin3Sigma(agreement(ds.groups!.colour!, ds.groups!.labelGroup!), p, ds.n, `correlation ${p}`);
  });
  const full = colourise(images, { correlation: 1, seed: 3 });
  assert.equal(agreement(full.groups!.colour!, full.groups!.labelGroup!), 1);
  const none = colourise(images, { correlation: 0, seed: 3 });
  assert.equal(agreement(none.groups!.colour!, none.groups!.labelGroup!), 0);
});

test('colourise: deterministic per seed; rejects non-grayscale-image input', () => {
  const a = colourise(images, { correlation: 0.7, seed: 5 });
  assert.deepEqual(a.x, colourise(images, { correlation: 0.7, seed: 5 }).x);
  assert.notDeepEqual(a.groups!.colour, colourise(images, { correlation: 0.7, seed: 6 }).groups!.colour);
  const flat: Dataset = { ...images, featureShape: [784] };
  assert.throws(() => colourise(flat, { correlation: 0.7, seed: 5 }), /featureShape \[784\], expected \[1, H, W\]/);
  assert.throws(() => colourise(a, { correlation: 0.7, seed: 5 }), /expected \[1, H, W\]/);
  assert.throws(() => colourise(images, { correlation: 1.2, seed: 5 }), /correlation/);
});

test('addPatch: bright square where patch = 1, untouched image elsewhere, correlation ±3σ', () => {
  const ds = addPatch(images, { correlation: 0.8, seed: 4, size: 3, corner: 'top-left' });
  assert.deepEqual(ds.featureShape, [1, 28, 28]);
  const patch = ds.groups!.patch!;
  for (let i = 0; i < ds.n; i++) {
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const k = i * 784 + r * 28 + c;
        const inSquare = r < 3 && c < 3;
        assert.equal(ds.x[k], inSquare && patch[i] === 1 ? 1 : images.x[k]);
      }
    }
  }
  assertWithin3Sigma(agreement(patch, ds.groups!.labelGroup!), 0.8, ds.n, 'patch');
  assert.deepEqual(ds.groupNames?.group, ['y<5/nopatch', 'y<5/patch', 'y>=5/nopatch', 'y>=5/patch']);
  // Works on colour images too (every channel gets the patch).
  const col = addPatch(colourise(images, { correlation: 1, seed: 1 }), { correlation: 1, seed: 1 });
  const i = col.groups!.patch!.indexOf(1);
  for (let ch = 0; ch < 3; ch++) assert.equal(col.x[i * 3 * 784 + ch * 784 + 27 * 28 + 27], 1);
});

test('addLabelNoise: exact flip count, flipped labels differ, groups.noisy, determinism', () => {
  const noisy = addLabelNoise(images, { rate: 0.1, seed: 8 });
  const flags = noisy.groups!.noisy!;
  let flipped = 0;
  for (let i = 0; i < noisy.n; i++) {
    if (flags[i] === 1) {
      flipped++;
      assert.notEqual(noisy.y[i], images.y[i]);
    } else assert.equal(noisy.y[i], images.y[i]);
  }
  assert.equal(flipped, 60);
  assert.deepEqual(noisy.groupNames?.noisy, ['clean', 'flipped']);
  assert.deepEqual(noisy.y, addLabelNoise(images, { rate: 0.1, seed: 8 }).y);
  assert.notDeepEqual(noisy.y, addLabelNoise(images, { rate: 0.1, seed: 9 }).y);
  assert.deepEqual(classCounts(addLabelNoise(images, { rate: 0, seed: 1 })), classCounts(images));
  // Keeps earlier group columns.
  const both = addLabelNoise(colourise(images, { correlation: 0.9, seed: 1 }), { rate: 0.05, seed: 2 });
  assert.deepEqual(Object.keys(both.groups ?? {}).sort(), ['colour', 'group', 'labelGroup', 'noisy']);
});
