import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliAsync } from './support.js';

describe('demo', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'css-demo-test-'));
  });
  afterEach(() => rm(tmp, { recursive: true, force: true }));

  it('runs status, plan, apply, list and rollback in a sandbox and leaves nothing behind', async () => {
    const r = await cliAsync(['demo'], { env: { TMPDIR: tmp, HOME: join(tmp, 'no-home') } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const step of ['1. status', '2. plan', '3. apply', '5. list', '6. rollback', '7. status']) {
      expect(r.stdout).toContain(step);
    }
    expect(r.stdout).not.toContain('skipped');
    expect(r.stdout).toMatch(/Removed the sandbox/);
    expect(await readdir(tmp)).toEqual([]);
    // It never created anything in the (fake) home folder.
    await expect(readdir(join(tmp, 'no-home'))).rejects.toThrow(/ENOENT/);
  });

  it('--keep keeps the sandbox and says where', async () => {
    const r = await cliAsync(['demo', '--keep'], { env: { TMPDIR: tmp } });
    expect(r.code).toBe(0);
    const left = await readdir(tmp);
    expect(left).toHaveLength(1);
    expect(r.stdout).toContain(`Kept the sandbox: ${join(tmp, left[0] ?? '')}`);
    expect(await readdir(join(tmp, left[0] ?? '', 'home'))).toEqual(
      expect.arrayContaining(['.claude', '.claude-2', '.claude-work', '.claude-shared']),
    );
  });
});
