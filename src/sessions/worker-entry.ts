/**
 * Entry of `dist/list-worker.js`, the listing's worker thread (built on its own by tsup,
 * so that a worker loads the listing code only, not the whole library).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serve } from './worker.js';
import { WORKER_TAG } from './worker-protocol.js';

if (parentPort !== null && (workerData as Record<string, unknown> | null)?.[WORKER_TAG] === true) serve(parentPort);
