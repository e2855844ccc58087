// Public API of the io module: safetensors files and crash-safe writes.
export { AtomicWriteError, writeFileAtomic, writeFilesAtomic, writeJsonAtomic } from './atomicWrite.js';
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
export { FileBoundaryError, MAX_BINARY_BYTES, MAX_JSON_BYTES, MAX_JSON_DEPTH, jsonDepthExceeds, parseJsonText, readFileBounded, readJsonFile, sha256Hex } from './boundedRead.js';
