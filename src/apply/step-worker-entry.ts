/**
 * Entry of `dist/step-worker.js`, the executor's worker thread (built on its own by
 * tsup, so that a worker loads the steps' code only, not the whole library).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serveSteps } from './step-worker.js';
import { STEP_WORKER_TAG, type StepWorkerData } from './step-worker-protocol.js';

const data = workerData as Partial<StepWorkerData> | null;
if (parentPort !== null && data?.[STEP_WORKER_TAG] === true && data.control instanceof SharedArrayBuffer) {
  serveSteps(parentPort, data as StepWorkerData);
}
