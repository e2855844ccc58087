import type { Dataset } from './dataset.js';

/** How the spurious constructions split classes into two label groups. */
export interface LabelGroupOptions {
  /** Binary label group per class. Default: label < ceil(numClasses / 2) -> 0 (MNIST: digit < 5). */
  labelGroupOf?: (label: number) => 0 | 1;
  /**
   * Names of label groups 0 and 1. Default "y<5" / "y>=5" (the threshold's), a binary data set's
   * own class names, or "group0"/"group1" with labelGroupOf.
   */
  labelGroupNames?: [string, string];
}

export interface LabelGroups {
  codes: Int32Array;
  names: [string, string];
}

export function labelGroups(ds: Dataset, opts: LabelGroupOptions): LabelGroups {
  const threshold = Math.ceil(ds.numClasses / 2);
  const of = opts.labelGroupOf ?? ((label: number): 0 | 1 => (label < threshold ? 0 : 1));
  // Binary labels are their own groups: keep their names (after `binarize`, "y<5" / "y>=5"),
  // which a threshold recomputed from two classes would turn into "y<1" / "y>=1".
  const binaryNames = ds.numClasses === 2 && ds.classNames?.length === 2 ? [ds.classNames[0], ds.classNames[1]] : null;
  const names = opts.labelGroupNames ?? (opts.labelGroupOf ? ['group0', 'group1'] : binaryNames ?? [`y<${threshold}`, `y>=${threshold}`]);
  const codes = Int32Array.from(ds.y, (label) => {
    const g = of(label);
    if (g !== 0 && g !== 1) throw new Error(`labelGroupOf(${label}) returned ${String(g)}, expected 0 or 1`);
    return g;
  });
  return { codes, names: [names[0], names[1]] };
}

/**
 * Draws a binary attribute that equals the label group with probability `correlation`
 * (independently per example) and the other value otherwise.
 */
export function correlatedAttribute(labelGroup: Int32Array, correlation: number, next: () => number): Int32Array {
  if (!(correlation >= 0 && correlation <= 1)) throw new Error(`correlation must be in [0, 1], got ${correlation}`);
  return Int32Array.from(labelGroup, (g) => (next() < correlation ? g : 1 - g));
}

/**
 * Adds the three group columns of a spurious construction: the attribute, labelGroup, and
 * their 4-way cross `group` = 2 * labelGroup + attribute (names like "y<5/red").
 */
export function withSpuriousGroups(
  ds: Dataset,
  attribute: { key: string; codes: Int32Array; names: [string, string] },
  lg: LabelGroups,
): Pick<Dataset, 'groups' | 'groupNames'> {
  const group = Int32Array.from(lg.codes, (g, i) => 2 * g + (attribute.codes[i] as number));
  const groupNames = lg.names.flatMap((l) => attribute.names.map((a) => `${l}/${a}`));
  return {
    groups: { ...ds.groups, [attribute.key]: attribute.codes, labelGroup: lg.codes, group },
    groupNames: { ...ds.groupNames, [attribute.key]: [...attribute.names], labelGroup: [...lg.names], group: groupNames },
  };
}
