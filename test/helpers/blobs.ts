/**
 * A pipeline manifest on Gaussian blobs, shared by the tests: training sets "a" and "b", an
 * evaluation set "test", 3 classes. Each caller fixes its own sizes, model and stages.
 */
export function blobsManifest(o: {
  name: string;
  dim: number;
  n: number;
  evalN: number;
  model: object;
  stages: object[];
  initSeed: number;
  description?: string;
  extra?: Record<string, unknown>;
}): Record<string, unknown> {
  const blobs = (n: number, seed: number) => ({ recipe: 'blobs', options: { n, dim: o.dim, numClasses: 3, seed } });
  return {
    name: o.name,
    ...(o.description === undefined ? {} : { description: o.description }),
    model: o.model,
    init: { seed: o.initSeed },
    datasets: { a: blobs(o.n, 1), b: blobs(o.n, 2), test: blobs(o.evalN, 3) },
    evaluation: { data: 'test' },
    stages: o.stages,
    ...o.extra,
  };
}
