// stagecredit's attribution API: behaviours, the estimator ladder, retraining truth, Shapley
// values over stages, and agreement with the truth.
export {
  compileBehaviours, parseBehaviourSpec, validateBehaviourSpec, formatBehaviourSpec, BEHAVIOUR_FORMS, BEHAVIOUR_KINDS,
  type AnyBehaviour, type BehaviourSet, type BehaviourSpec, type BehaviourKind, type Better, type CustomBehaviour, type GroupValue,
} from './behaviours.js';
export * from './estimators/index.js';
export { effects, linearEffects, exactEffects, type OutputMode } from './score.js';
export { embeddingPath, loadEmbeddings, saveEmbeddings } from './embeddingStore.js';
export { attribute, runBehaviours, writeAttribution, DEFAULT_ESTIMATORS, DEFAULT_ESTIMATE, SIGN_CONVENTION, UNITS, type AttributeOptions, type AttributionReport, type EstimateRecord } from './attribute.js';
export { validate, writeValidation, type ValidateOptions, type ValidationReport, type ValidatedEstimate, type SubsetAnalysis } from './validate.js';
export { leaveOneStageOut, allSubsets, replayCost, type GroundTruth, type SubsetTable, type RetrainingCost, type GroundTruthOptions, type ReplayProgress } from './groundTruth.js';
export { seedNoise, type SeedNoise } from './seedNoise.js';
export { shapleyValues, leaveOneOutFromTable, addOneFromTable, additivityGap, pairwiseInteractions, type InteractionTable } from './shapley.js';
export { agreement, agreementStats, stageOrderAgreement, pearson, spearman, kendallTau, type Agreement, type AgreementStats, type StageOrderAgreement } from './agreement.js';
export { assessTrust, trustContext, referenceReadouts, TRUST_LEVEL, type EstimateTrust, type Grade, type TrustInputs, type TrustContext, type Calibration } from './trust.js';
export { decide, headlineEffects, chooseEstimate, figureLabel, figureTag, type Conclusion, type HeadlineEffects, type Headline, type StageFigure, type RetrainingCheck, type InterventionVerdict } from './conclusions.js';
export { spendBudget, spendBudgetSync, planReplays, parseBudget, budgetSteps, DEFAULT_BUDGET, BUDGET_RULE, type BudgetSpec, type BudgetRecord, type ReplayPlan } from './budget.js';
