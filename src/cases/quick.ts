// --quick: the same pipeline at a fraction of the steps and a small evaluation set, for smoke tests.

const QUICK_STEP_FACTOR = 0.2;
const QUICK_EVAL_EXAMPLES = 200;

interface JsonManifest {
  name: string;
  stages: { steps?: number }[];
  datasets: Record<string, { recipe?: string; options?: { transforms?: unknown[] } }>;
  evaluation?: { data: string };
}

export function quickManifest<T>(manifest: T): T {
  const m = structuredClone(manifest) as unknown as JsonManifest;
  m.name = `${m.name}-quick`;
  for (const s of m.stages) if (s.steps) s.steps = Math.max(5, Math.round(s.steps * QUICK_STEP_FACTOR));
  const ev = m.evaluation && m.datasets[m.evaluation.data];
  if (ev?.recipe) {
    ev.options ??= {};
    ev.options.transforms = [...(ev.options.transforms ?? []), { kind: 'slice', range: [0, QUICK_EVAL_EXAMPLES] }];
  }
  return m as unknown as T;
}
