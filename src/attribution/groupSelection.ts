import type { Dataset } from '../data/index.js';
import type { GroupValue } from './behaviourSpec.js';

/** One group of one column of the evaluation data, with its examples. */
export interface Group {
  column: string;
  code: number;
  /** The readable name (data.groupNames) or the code as text. */
  label: string;
  /** Indices of its examples, ascending. */
  index: Int32Array;
}

function columnCodes(data: Dataset, column: string): Int32Array {
  const codes = data.groups?.[column];
  if (!codes) {
    const known = Object.keys(data.groups ?? {});
    throw new Error(`evaluation data "${data.name}" has no group column "${column}" (columns: ${known.length ? known.join(', ') : 'none'})`);
  }
  return codes;
}

function labelOf(data: Dataset, column: string, code: number): string {
  return data.groupNames?.[column]?.[code] ?? String(code);
}

function groupOf(data: Dataset, column: string, codes: Int32Array, code: number): Group {
  const index: number[] = [];
  for (let i = 0; i < codes.length; i++) if (codes[i] === code) index.push(i);
  return { column, code, label: labelOf(data, column, code), index: Int32Array.from(index) };
}

function describeValues(data: Dataset, column: string, codes: Int32Array): string {
  const present = [...new Set(codes)].sort((a, b) => a - b);
  return present.map((c) => (data.groupNames?.[column]?.[c] !== undefined ? `${c} (${labelOf(data, column, c)})` : String(c))).join(', ');
}

/**
 * The group a value names. A string is matched against the column's names first, then read as
 * an integer code; a number is a code. Empty groups are refused: their mean is undefined.
 */
export function resolveGroup(data: Dataset, column: string, value: GroupValue): Group {
  const codes = columnCodes(data, column);
  const names = data.groupNames?.[column];
  let code: number | undefined;
  if (typeof value === 'number') code = value;
  else if (names?.includes(value)) code = names.indexOf(value);
  else if (/^\d+$/.test(value)) code = Number(value);
  const known = names !== undefined && code !== undefined && code < names.length;
  const group = code === undefined ? undefined : groupOf(data, column, codes, code);
  if (!group || (group.index.length === 0 && !known)) {
    throw new Error(`column "${column}" has no group ${JSON.stringify(value)} (groups: ${describeValues(data, column, codes)})`);
  }
  if (group.index.length === 0) throw new Error(`group ${column}=${group.label} has no examples in the evaluation data "${data.name}"`);
  return group;
}

/** Every group of a column that has examples, by ascending code. */
export function groupsOf(data: Dataset, column: string): Group[] {
  const codes = columnCodes(data, column);
  const present = [...new Set(codes)].sort((a, b) => a - b);
  return present.map((c) => groupOf(data, column, codes, c));
}
