import { featureSize, type Dataset } from './dataset.js';

/** Raised by validateDataset; `field` names the offending Dataset field (e.g. "y", "groups.colour"). */
export class DatasetError extends Error {
  readonly field: string;
  constructor(datasetName: string, field: string, message: string) {
    super(`Dataset "${datasetName}": ${field} ${message}`);
    this.name = 'DatasetError';
    this.field = field;
  }
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/**
 * Checks every structural invariant of a Dataset and throws a DatasetError naming the first
 * broken field. Returns the data set so it can be used inline.
 */
export function validateDataset<D extends Dataset>(ds: D): D {
  const name = typeof ds.name === 'string' && ds.name.length > 0 ? ds.name : '<unnamed>';
  const fail = (field: string, message: string): never => {
    throw new DatasetError(name, field, message);
  };

  if (typeof ds.name !== 'string' || ds.name.length === 0) fail('name', 'must be a non-empty string');
  if (typeof ds.source !== 'string') fail('source', 'must be a string');
  if (typeof ds.n !== 'number' || !Number.isInteger(ds.n) || ds.n < 0) {
    fail('n', `must be a non-negative integer, got ${String(ds.n)}`);
  }
  if (!Array.isArray(ds.featureShape) || ds.featureShape.length === 0 || !ds.featureShape.every(isPositiveInt)) {
    fail('featureShape', `must be a non-empty array of positive integers, got ${JSON.stringify(ds.featureShape)}`);
  }
  if (!isPositiveInt(ds.numClasses)) fail('numClasses', `must be a positive integer, got ${String(ds.numClasses)}`);

  const d = featureSize(ds.featureShape);
  if (!(ds.x instanceof Float64Array)) fail('x', 'must be a Float64Array');
  if (ds.x.length !== ds.n * d) {
    fail('x', `has length ${ds.x.length} but n * prod(featureShape) = ${ds.n} * ${d} = ${ds.n * d}`);
  }
  for (let i = 0; i < ds.x.length; i++) {
    const v = ds.x[i] as number;
    // `v - v` is NaN exactly for NaN and ±Infinity: one cheap test per value.
    if (v - v !== 0) {
      fail('x', `has a non-finite value ${v} at example ${Math.floor(i / d)}, feature ${i % d}`);
    }
  }

  if (!(ds.y instanceof Int32Array)) fail('y', 'must be an Int32Array');
  if (ds.y.length !== ds.n) fail('y', `has length ${ds.y.length} but n = ${ds.n}`);
  for (let i = 0; i < ds.n; i++) {
    const label = ds.y[i] as number;
    if (label < 0 || label >= ds.numClasses) {
      fail('y', `has label ${label} at example ${i}, outside 0..${ds.numClasses - 1}`);
    }
  }
  if (ds.classNames !== undefined && ds.classNames.length !== ds.numClasses) {
    fail('classNames', `has ${ds.classNames.length} names but numClasses = ${ds.numClasses}`);
  }

  for (const [key, col] of Object.entries(ds.groups ?? {})) {
    const field = `groups.${key}`;
    if (!(col instanceof Int32Array)) fail(field, 'must be an Int32Array');
    if (col.length !== ds.n) fail(field, `has length ${col.length} but n = ${ds.n}`);
    const names = ds.groupNames?.[key];
    for (let i = 0; i < col.length; i++) {
      const code = col[i] as number;
      if (code < 0) fail(field, `has negative code ${code} at example ${i}`);
      if (names !== undefined && code >= names.length) {
        fail(field, `has code ${code} at example ${i} but groupNames.${key} has only ${names.length} names`);
      }
    }
  }
  for (const key of Object.keys(ds.groupNames ?? {})) {
    if (ds.groups?.[key] === undefined) fail(`groupNames.${key}`, `has no matching column groups.${key}`);
  }

  if (ds.text !== undefined && ds.text.length !== ds.n) {
    fail('text', `has length ${ds.text.length} but n = ${ds.n}`);
  }
  return ds;
}
