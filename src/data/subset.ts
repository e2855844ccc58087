import { featureSize, type Dataset } from './dataset.js';

/** Copies the listed examples (in the given order; repeats allowed) into a new Dataset. */
export function subset(ds: Dataset, indices: ArrayLike<number>, name: string = ds.name): Dataset {
  const d = featureSize(ds.featureShape);
  const m = indices.length;
  const x = new Float64Array(m * d);
  const y = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const i = indices[k] as number;
    if (!Number.isInteger(i) || i < 0 || i >= ds.n) {
      throw new RangeError(`subset of "${ds.name}": index ${i} at position ${k} is outside 0..${ds.n - 1}`);
    }
    x.set(ds.x.subarray(i * d, (i + 1) * d), k * d);
    y[k] = ds.y[i] as number;
  }
  const out: Dataset = { ...ds, name, n: m, featureShape: [...ds.featureShape], x, y };
  if (ds.groups !== undefined) {
    const groups: Record<string, Int32Array> = {};
    for (const [key, col] of Object.entries(ds.groups)) {
      const c = new Int32Array(m);
      for (let k = 0; k < m; k++) c[k] = col[indices[k] as number] as number;
      groups[key] = c;
    }
    out.groups = groups;
  }
  if (ds.text !== undefined) {
    const text = ds.text;
    out.text = Array.from({ length: m }, (_, k) => text[indices[k] as number] as string);
  }
  return out;
}

function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/**
 * Stacks data sets with the same feature shape, classes, group columns and text presence.
 * Mismatches throw rather than silently dropping columns, since a missing group column would
 * make later subgroup metrics wrong.
 */
export function concat(datasets: readonly Dataset[], name?: string): Dataset {
  const first = datasets[0];
  if (first === undefined) throw new Error('concat needs at least one dataset');
  const shape = first.featureShape.join('x');
  const groupKeys = Object.keys(first.groups ?? {}).sort().join(',');
  for (const ds of datasets) {
    const where = `concat: "${ds.name}" vs "${first.name}":`;
    if (ds.featureShape.join('x') !== shape) {
      throw new Error(`${where} featureShape [${ds.featureShape}] differs from [${first.featureShape}]`);
    }
    if (ds.numClasses !== first.numClasses) {
      throw new Error(`${where} numClasses ${ds.numClasses} differs from ${first.numClasses}`);
    }
    if (ds.classNames !== undefined && first.classNames !== undefined && !sameStrings(ds.classNames, first.classNames)) {
      throw new Error(`${where} classNames differ`);
    }
    if (Object.keys(ds.groups ?? {}).sort().join(',') !== groupKeys) {
      throw new Error(`${where} group columns {${Object.keys(ds.groups ?? {})}} differ from {${groupKeys}}`);
    }
    for (const key of Object.keys(ds.groupNames ?? {})) {
      const a = ds.groupNames?.[key];
      const b = first.groupNames?.[key];
      if (b !== undefined && !sameStrings(a, b)) throw new Error(`${where} groupNames.${key} differ`);
    }
    if ((ds.text === undefined) !== (first.text === undefined)) {
      throw new Error(`${where} one has text and the other does not`);
    }
  }

  const n = datasets.reduce((acc, ds) => acc + ds.n, 0);
  const x = new Float64Array(n * featureSize(first.featureShape));
  const y = new Int32Array(n);
  let offsetX = 0;
  let offsetY = 0;
  for (const ds of datasets) {
    x.set(ds.x, offsetX);
    y.set(ds.y, offsetY);
    offsetX += ds.x.length;
    offsetY += ds.n;
  }
  const out: Dataset = {
    name: name ?? datasets.map((ds) => ds.name).join('+'),
    n,
    featureShape: [...first.featureShape],
    x,
    y,
    numClasses: first.numClasses,
    source: [...new Set(datasets.map((ds) => ds.source))].join(' + '),
  };
  const classNames = datasets.find((ds) => ds.classNames !== undefined)?.classNames;
  if (classNames !== undefined) out.classNames = [...classNames];
  if (first.groups !== undefined) {
    const groups: Record<string, Int32Array> = {};
    for (const key of Object.keys(first.groups)) {
      const col = new Int32Array(n);
      let offset = 0;
      for (const ds of datasets) {
        col.set(ds.groups?.[key] as Int32Array, offset);
        offset += ds.n;
      }
      groups[key] = col;
    }
    out.groups = groups;
    const groupNames: Record<string, string[]> = {};
    for (const ds of datasets) {
      for (const [key, names] of Object.entries(ds.groupNames ?? {})) groupNames[key] ??= [...names];
    }
    if (Object.keys(groupNames).length > 0) out.groupNames = groupNames;
  }
  if (first.text !== undefined) out.text = datasets.flatMap((ds) => ds.text ?? []);
  return out;
}
