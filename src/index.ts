// stagecredit's library API: everything the CLI does is one typed call away.
export * from './tensor/index.js';
export * from './autodiff/index.js';
export * from './data/index.js';
export * from './nn/index.js';
export * from './optim/index.js';
export * from './io/index.js';
export * from './pipeline/index.js';
export * from './attribution/index.js';
export * from './report/index.js';
export * from './cases/index.js';
