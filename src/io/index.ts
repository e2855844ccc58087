// Public API of the io module: safetensors files and crash-safe writes.
export { AtomicWriteError, writeFileAtomic, writeJsonAtomic } from './atomicWrite.js';
export {
  SAFETENSORS_MAX_HEADER_BYTES,
  ST_DTYPES,
  SafetensorsError,
  decodeSafetensors,
  encodeSafetensors,
  isStDType,
  readSafetensors,
  writeSafetensors,
} from './safetensors.js';
export type { SafetensorsContents, StDType, StTensor } from './safetensors.js';
