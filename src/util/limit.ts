// p-limit is ESM-only. The ESM build imports it; tsup bundles it (and yocto-queue) into the
// CommonJS build, so `require('claude-shared-sessions')` works on every Node 20 without
// relying on require(esm). See tsup.config.ts.
import pLimit from 'p-limit';

export type Limit = <T>(fn: () => Promise<T>) => Promise<T>;

/** A concurrency limiter; `concurrency` below 1 is treated as 1. */
export function createLimit(concurrency: number): Limit {
  const limit = pLimit(Math.max(1, Math.floor(concurrency)));
  return (fn) => limit(fn);
}

/** Maps with bounded concurrency, keeping input order in the result. */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const limit = createLimit(concurrency);
  return Promise.all(items.map((item, index) => limit(() => fn(item, index))));
}
