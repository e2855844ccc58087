import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecipe } from '../../src/data/recipes.js';

// Group names must describe the labels they group, also when the labels were binarized first.

const digits = (transforms: object[]) => buildRecipe('mnist', { seed: 1, shape: 'image', transforms: [{ kind: 'slice', range: [0, 200] }, ...transforms] }, 'test');

test('colourise after binarize names the label groups by the binarized labels (y<5, y>=5)', () => {
  const ds = digits([{ kind: 'binarize' }, { kind: 'colourise', correlation: 0.9, seed: 2 }]);
  assert.deepEqual(ds.groupNames?.labelGroup, ['y<5', 'y>=5']);
  assert.deepEqual(ds.groupNames?.group, ['y<5/red', 'y<5/green', 'y>=5/red', 'y>=5/green']);
  const t = digits([{ kind: 'binarize', threshold: 3 }, { kind: 'patch', correlation: 0.9, seed: 2 }]);
  assert.deepEqual(t.groupNames?.labelGroup, ['y<3', 'y>=3']);
  // Group codes still follow the (binary) label.
  ds.y.forEach((y, i) => assert.equal(ds.groups!.labelGroup[i], y));
});

test('on ten classes the label groups are digit < 5 and digit >= 5', () => {
  const ds = digits([{ kind: 'colourise', correlation: 0.9, seed: 2 }]);
  assert.deepEqual(ds.groupNames?.labelGroup, ['y<5', 'y>=5']);
  ds.y.forEach((y, i) => assert.equal(ds.groups!.labelGroup[i], y < 5 ? 0 : 1));
});
