// stagecredit's library API: everything the CLI does is one typed call away.
export * from './tensor/index.js';
export * from './autodiff/index.js';
