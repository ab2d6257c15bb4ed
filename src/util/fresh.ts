/**
 * Shares one run of an async check among the callers that asked for it before the run
 * started, and only among them: every caller gets the result of a run that began after
 * its own call. A caller that comes while a run is under way waits for the next run
 * (which all callers coming meanwhile share). So a result is never older than the call,
 * exactly as if each caller had run the check itself, with far fewer runs when many
 * callers ask at once (e.g. `realpath` of the folder of each of many concurrent copies).
 */
export class FreshRuns<T> {
  readonly #busy = new Set<string>();
  readonly #queued = new Map<string, Pending<T>>();

  run(key: string, fn: () => Promise<T>): Promise<T> {
    const queued = this.#queued.get(key);
    if (queued) return queued.promise;
    const pending = deferred<T>(fn);
    if (this.#busy.has(key)) this.#queued.set(key, pending);
    else this.#start(key, pending);
    return pending.promise;
  }

  #start(key: string, pending: Pending<T>): void {
    this.#busy.add(key);
    let result: Promise<T>;
    try {
      result = pending.fn();
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(pending.resolve, pending.reject).finally(() => {
      this.#busy.delete(key);
      const next = this.#queued.get(key);
      if (next) {
        this.#queued.delete(key);
        this.#start(key, next);
      }
    });
  }
}

interface Pending<T> {
  fn: () => Promise<T>;
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

function deferred<T>(fn: () => Promise<T>): Pending<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A caller may drop its promise when another step failed first: no unhandled rejection.
  promise.catch(() => {});
  return { fn, promise, resolve, reject };
}
