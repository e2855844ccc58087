export { type Dataset, featureSize, classCounts } from './dataset.js';
export { DatasetError, validateDataset } from './validate.js';
export { createRng, mixSeed, seededPermutation, seededShuffle } from './rng.js';
export { subset, concat } from './subset.js';
export { shuffleDataset, classBalancedSample, balancedIndices, trainTestSplit, type SplitOptions } from './split.js';
export { type ImageLayout, type ImageLoadOptions } from './imageSet.js';
export { loadMnist } from './mnist.js';
export {
  loadFashionMnist,
  findFashionMnistDir,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_ENV,
  FASHION_MNIST_SYSTEM_DIR,
  type FashionMnistOptions,
  type FashionSplit,
} from './fashionMnist.js';
export { parseIdx, readIdxFile, type IdxArray } from './idx.js';
export { type TextRecord, type TextCorpus } from './textCorpus.js';
export { loadSpamAssassin, SPAM_ASSASSIN_CORPORA, type SpamAssassinOptions } from './spamAssassin.js';
export { splitEmail, cleanEmailBody } from './emailBody.js';
export { fnv1a32, FNV32_OFFSET_BASIS, FNV32_PRIME } from './hash.js';
export { tokenize, hashedBagOfWords, type HashedBowOptions } from './textFeatures.js';
export { loadTextDataset, type TextDatasetOptions } from './text.js';
export { gaussianBlobs, twoMoons, xorData, type BlobOptions, type TwoDOptions } from './synthetic.js';
export { type LabelGroupOptions } from './labelGroup.js';
export { colourise, addPatch, COLOUR_NAMES, type SpuriousOptions, type PatchOptions, type Corner } from './spurious.js';
export { addLabelNoise } from './labelNoise.js';
export { injectTokens, DEFAULT_IDENTITY_TOKENS, type InjectTokensOptions } from './tokenInjection.js';
export { bytesOf, contentHash, computeContentHash, rememberedContentHashes } from './contentHash.js';
export { adoptDatasets, byteCodes, cachedRecipe, dataCacheDir, openedDatasets, recipeCacheKey } from './cache.js';
export { buildRecipe, RECIPE_NAMES, type RecipeName, type DataTransform } from './recipes.js';
export { readDatasetFile, writeDatasetFile } from './datasetFile.js';
