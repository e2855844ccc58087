export { CASES, DEFAULT_CASE, getCase, casesDir, type CaseStudy, type CaseIntervention } from './registry.js';
export { quickManifest } from './quick.js';
export { runIntervention, groupedMetrics, type InterventionResult, type GroupedMetrics } from './intervention.js';
export { topExamples } from './topExamples.js';
export { runDemo, type DemoOptions, type DemoSummary } from './demo.js';
