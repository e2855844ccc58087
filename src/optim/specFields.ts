// Field checks shared by the optimizer and schedule spec validators: every failure names the
// field and shows the value it got.

function show(v: unknown): string {
  if (typeof v === 'number' || v === undefined) return String(v);
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    return Array.isArray(v) ? '[...]' : '{...}'; // nested too deeply to print (or cyclic)
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export function fail(field: string, what: string, got: unknown): never {
  throw new Error(`${field} must be ${what} (got ${show(got)})`);
}

export function finiteAtLeast0(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(field, 'a finite number >= 0', v);
  return v;
}

/**
 * A spec tagged by its `kind`: an object whose kind is one of `fields`' keys and which has no
 * fields but that kind's. `noun` names the spec in errors ("optimizer", "schedule").
 */
export function taggedSpec<K extends string>(spec: unknown, where: string, fields: Record<K, readonly string[]>, noun: string): { o: Record<string, unknown>; kind: K } {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) fail(where, 'an object with a "kind"', spec);
  const o = spec as Record<string, unknown>;
  const kind = o.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(fields, kind)) {
    fail(`${where}.kind`, `one of ${Object.keys(fields).map((k) => `"${k}"`).join(', ')}`, kind);
  }
  const k = kind as K;
  for (const key of Object.keys(o)) {
    if (key !== 'kind' && !fields[k].includes(key)) {
      throw new Error(`${where}.${key} is not a field of a "${k}" ${noun} (fields: ${['kind', ...fields[k]].join(', ')})`);
    }
  }
  return { o, kind: k };
}
