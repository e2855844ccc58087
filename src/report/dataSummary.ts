import type { DatasetSpec, StageSpec } from '../pipeline/index.js';
import { fmtHyper } from './format.js';

// A short description of a stage's data from its manifest entry, e.g.
// "mnist: examples 3000-5000, label noise 40%"; nothing is loaded.

interface Transform { kind: string; range?: [number, number]; keep?: number[]; correlation?: number; rate?: number }

function transformText(t: Transform): string {
  switch (t.kind) {
    case 'slice': return t.range ? `examples ${t.range[0]}–${t.range[1]}` : 'slice';
    case 'classes': return `classes ${(t.keep ?? []).join(', ')}`;
    case 'binarize': return 'binary labels';
    case 'colourise': return `colour–label correlation ${fmtHyper(t.correlation ?? 0)}`;
    case 'patch': return `patch–label correlation ${fmtHyper(t.correlation ?? 0)}`;
    case 'labelNoise': return `label noise ${Math.round((t.rate ?? 0) * 100)}%`;
    default: return t.kind;
  }
}

export function dataSummary(spec: DatasetSpec | undefined, stage: Pick<StageSpec, 'subset' | 'sampleWeights' | 'batchSize'>): string {
  const parts: string[] = [];
  if (!spec) parts.push('unknown data set');
  else if ('file' in spec) parts.push(`file ${spec.file}`);
  else {
    const o = (spec.options ?? {}) as { n?: number; perClass?: number; transforms?: Transform[] };
    const size = o.n !== undefined ? ` (${o.n} examples)` : o.perClass !== undefined ? ` (${o.perClass} per class)` : '';
    parts.push(`${spec.recipe}${size}`);
    for (const t of o.transforms ?? []) parts.push(transformText(t));
  }
  if (Array.isArray(stage.subset)) parts.push(`subset of ${stage.subset.length}`);
  else if (stage.subset) parts.push(`subset from ${stage.subset.file}`);
  if (stage.sampleWeights) parts.push('weighted');
  parts.push(`batch ${stage.batchSize}`);
  return parts.join(', ');
}
