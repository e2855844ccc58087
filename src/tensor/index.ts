export { Tensor, tensor, zeros, ones, full, scalar, fromData, type GradNode, type NestedArray } from './tensor.js';
export { type DType, type FloatArray, allocate, DEFAULT_DTYPE } from './dtype.js';
export { type Shape, sizeOf, shapeStr, sameShape, broadcastShapes, ShapeError } from './shape.js';
export { type Backend, type BackendName, availableBackends, backendByName, getBackend, setBackend, typescriptBackend, wasmBackend, openblasBackend } from './backend.js';
export { Rng, randn, randUniform, createRng, mixSeed, seededPermutation, seededShuffle } from './random.js';
export { BufferPool, retired } from './bufferPool.js';
export { declareConstant } from './kernels/gemmWasm.js';
