import { describe, expect, it } from 'vitest';
import { FreshRuns } from '../../src/util/fresh.js';

/** A check whose runs are counted and finished by hand; each run returns its number. */
function manualCheck() {
  const finish: (() => void)[] = [];
  let started = 0;
  const fn = () =>
    new Promise<number>((resolve) => {
      const n = ++started;
      finish.push(() => resolve(n));
    });
  return { fn, finish, started: () => started };
}

describe('FreshRuns', () => {
  it('shares one run among callers that came before it started, and starts another for callers during it', async () => {
    const runs = new FreshRuns<number>();
    const c = manualCheck();
    const a = runs.run('k', c.fn);
    expect(c.started()).toBe(1);
    // During run 1: these two must not get run 1's result (it began before they asked).
    const b = runs.run('k', c.fn);
    const d = runs.run('k', c.fn);
    expect(c.started()).toBe(1);
    c.finish[0]?.();
    expect(await a).toBe(1);
    await new Promise((r) => setImmediate(r));
    // Run 2 starts once run 1 is over, for both waiting callers.
    expect(c.started()).toBe(2);
    c.finish[1]?.();
    expect(await b).toBe(2);
    expect(await d).toBe(2);
    await new Promise((r) => setImmediate(r));
    // Nothing running: a new caller starts run 3 at once.
    const e = runs.run('k', c.fn);
    expect(c.started()).toBe(3);
    c.finish[2]?.();
    expect(await e).toBe(3);
  });

  it('keeps keys apart and passes a failure to every caller of that run only', async () => {
    const runs = new FreshRuns<string>();
    let calls = 0;
    const fail = () => {
      calls++;
      return Promise.reject(Object.assign(new Error('gone'), { code: 'ENOENT' }));
    };
    const x = runs.run('x', fail);
    const y = runs.run('y', async () => 'y');
    await expect(x).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await y).toBe('y');
    expect(await runs.run('x', async () => 'again')).toBe('again');
    expect(calls).toBe(1);
  });

  it('turns a check that throws synchronously into a rejection', async () => {
    const runs = new FreshRuns<number>();
    await expect(
      runs.run('k', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(await runs.run('k', async () => 7)).toBe(7);
  });
});
