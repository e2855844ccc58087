// The data layer draws from the project's one seeded generator (src/tensor/random.ts).
export { Rng, createRng, mixSeed, seededPermutation, seededShuffle } from '../tensor/random.js';
