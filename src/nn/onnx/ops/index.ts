import type { Converter } from '../values.js';
import { elementwiseConverters } from './elementwise.js';
import { layoutConverters } from './layout.js';
import { linearConverters } from './linear.js';
import { poolConverters } from './pool.js';
import { reduceConverters } from './reduce.js';

/**
 * The converter table, by ONNX op type (default domain). Adding an op means adding an entry here;
 * the graph walker never changes.
 */
export const CONVERTERS: Readonly<Record<string, Converter>> = {
  ...elementwiseConverters,
  ...linearConverters,
  ...poolConverters,
  ...layoutConverters,
  ...reduceConverters,
};
