// stagecredit's report: results.json (every number) and one self-contained report.html per run.
export type {
  GroupOutcome, ImagePixels, Intervention, Results, ResultsExtras, RunInfo, StageInfo, TopExample, TopExamples,
} from './results.js';
export { collectResults, EXTRAS_FILE } from './collect.js';
export { renderReport } from './render.js';
export { writeReport } from './write.js';
export { validateExtras } from './extras.js';
export { computeHeadline } from './headline.js';
export { escapeHtml, jsonForScript } from './escape.js';
export { crc32, encodePng, pngDataUri, type ImageData01 } from './png.js';
export { optimizerSummary } from './optimizerSummary.js';
