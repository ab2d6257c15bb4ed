/**
 * A step worker: runs the steps of the executor that need nothing but their own context
 * ({@link LocalStepContext}), through the real disk's blocking calls. The workers share
 * a group out through the control array: each takes the next step when it is free, and
 * none takes another once a step failed or the executor asked them to stop.
 */
import type { MessagePort } from 'node:worker_threads';
import { createBlockingNodeFileSystem } from '../fs/blocking.js';
import { pathRulesFor } from '../layout/paths.js';
import type { LocalStepContext } from '../operations/base.js';
import { readActual } from '../operations/state.js';
import { runLocalOperation } from '../operations/table.js';
import {
  NEXT,
  STOP,
  type StepDone,
  type StepReply,
  type StepRequest,
  type StepWorkerData,
  sendError,
} from './step-worker-protocol.js';

/** Answers the executor's requests on `port` until the worker is terminated. */
export function serveSteps(port: MessagePort, data: StepWorkerData): void {
  const control = new Int32Array(data.control);
  const fs = createBlockingNodeFileSystem();
  port.on('message', (request: StepRequest) => {
    void runGroup(fs, control, request).then((reply) => port.postMessage(reply));
  });
  port.postMessage('ready');
}

async function runGroup(fs: LocalStepContext['fs'], control: Int32Array, request: StepRequest): Promise<StepReply> {
  const ctx: LocalStepContext = {
    fs,
    run: request.run,
    counters: { bytesCopied: 0, bytesCloned: 0, bytesResynced: 0 },
    copies: new Map(),
    rules: pathRulesFor(request.caseInsensitive),
  };
  const done: StepDone[] = [];
  const { ops } = request;
  if (request.read !== undefined) return readGroup(fs, control, request, request.read);
  for (;;) {
    if (Atomics.load(control, STOP) !== 0) break;
    const index = Atomics.add(control, NEXT, 1);
    const op = ops[index];
    if (op === undefined) break;
    try {
      const result = await runLocalOperation(ctx, op);
      const copy = ctx.copies.get(op.id);
      ctx.copies.delete(op.id);
      done.push({
        index,
        result,
        ...(copy === undefined
          ? {}
          : { held: { sourceSize: copy.sourceSize, sourceMtimeMs: copy.sourceMtimeMs, size: copy.size } }),
      });
    } catch (error) {
      // The others take no more steps either: the executor undoes the group.
      Atomics.store(control, STOP, 1);
      return { id: request.id, done, counters: ctx.counters, failed: { index, error: sendError(error) } };
    }
  }
  return { id: request.id, done, counters: ctx.counters };
}

/** Looks at each path as the preflight does, each taken by whichever worker is free. */
async function readGroup(
  fs: LocalStepContext['fs'],
  control: Int32Array,
  request: StepRequest,
  paths: readonly string[],
): Promise<StepReply> {
  const states: NonNullable<StepReply['states']> = [];
  const counters = { bytesCopied: 0, bytesCloned: 0, bytesResynced: 0 };
  for (;;) {
    if (Atomics.load(control, STOP) !== 0) break;
    const index = Atomics.add(control, NEXT, 1);
    const path = paths[index];
    if (path === undefined) break;
    try {
      states.push({ index, state: await readActual(fs, path) });
    } catch (error) {
      Atomics.store(control, STOP, 1);
      return { id: request.id, done: [], states, counters, failed: { index, error: sendError(error) } };
    }
  }
  return { id: request.id, done: [], states, counters };
}
