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

/**
 * Takes the items of a group one at a time, as the other workers do (slot NEXT), until
 * none is left or one failed anywhere (slot STOP, which a failure here sets). Returns the
 * failure met here, if any.
 */
async function takeEach<T>(
  control: Int32Array,
  items: readonly T[],
  work: (item: T, index: number) => Promise<void>,
): Promise<StepReply['failed']> {
  for (;;) {
    if (Atomics.load(control, STOP) !== 0) return undefined;
    const index = Atomics.add(control, NEXT, 1);
    if (index >= items.length) return undefined;
    try {
      await work(items[index] as T, index);
    } catch (error) {
      // The others take no more either: the executor undoes the group.
      Atomics.store(control, STOP, 1);
      return { index, error: sendError(error) };
    }
  }
}

async function runGroup(fs: LocalStepContext['fs'], control: Int32Array, request: StepRequest): Promise<StepReply> {
  const counters = { bytesCopied: 0, bytesCloned: 0, bytesResynced: 0 };
  if (request.read !== undefined) {
    // What the preflight reads: each path's state, as readActual sees it.
    const states: NonNullable<StepReply['states']> = [];
    const failed = await takeEach(control, request.read, async (path, index) => {
      states.push({ index, state: await readActual(fs, path) });
    });
    return { id: request.id, done: [], states, counters, ...(failed ? { failed } : {}) };
  }
  const ctx: LocalStepContext = {
    fs,
    run: request.run,
    counters,
    copies: new Map(),
    rules: pathRulesFor(request.caseInsensitive),
  };
  const done: StepDone[] = [];
  const failed = await takeEach(control, request.ops, async (op, index) => {
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
  });
  return { id: request.id, done, counters, ...(failed ? { failed } : {}) };
}
