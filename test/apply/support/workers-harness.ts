/**
 * What test/apply/step-workers.test.ts runs from a bundle (test/crash/support/child-bundle.ts),
 * so that the executor finds its worker entry beside it, as it does in `dist/`.
 */
export { applyPlan } from '../../../src/apply/index.js';
export { StepWorkers } from '../../../src/apply/step-workers.js';
export { createNodeFileSystem } from '../../../src/fs/node.js';
export { readActual } from '../../../src/operations/state.js';
export { share } from '../../../src/verbs/verbs.js';
