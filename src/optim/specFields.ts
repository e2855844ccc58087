// Field checks shared by the optimizer and schedule spec validators: every failure names the
// field and shows the value it got.

function show(v: unknown): string {
  return typeof v === 'number' || v === undefined ? String(v) : JSON.stringify(v) ?? String(v);
}

export function fail(field: string, what: string, got: unknown): never {
  throw new Error(`${field} must be ${what} (got ${show(got)})`);
}

export function finiteAtLeast0(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(field, 'a finite number >= 0', v);
  return v;
}
