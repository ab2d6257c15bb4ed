/**
 * Issue 10 §4: the command offers the library's `force.claudeRunning` as `--force-running`,
 * with a warning, and its refusal advises that flag instead of an option it does not have.
 */
import { lstat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cli, makeSandbox, type TestSandbox } from '../cli/support.js';

let sb: TestSandbox;
beforeEach(async () => {
  sb = await makeSandbox(1);
  // A live pid (this test process) in an account's sessions/: Claude Code runs with it.
  await writeFile(join(sb.accounts[1] ?? '', 'sessions', `${process.pid}.json`), '{}');
});
afterEach(() => sb.cleanup());

it('refuses while Claude Code runs and advises --force-running, which the command accepts', async () => {
  const before = await sb.dump();
  const refused = cli(['apply', '--yes', ...sb.args]);
  expect(refused.code).toBe(3);
  expect(refused.stderr).toMatch(/^ECLAUDE_RUNNING: .*pass --force-running to go ahead anyway/m);
  expect(refused.stderr).not.toMatch(/force\.claudeRunning/);
  expect(await sb.dump()).toEqual(before);

  const forced = cli(['apply', '--yes', '--force-running', ...sb.args]);
  expect(forced.code, forced.stderr).toBe(0);
  expect(forced.stderr).toMatch(/Warning: --force-running: .*may end up in the backup only/);
  for (const account of sb.accounts) expect((await lstat(join(account, 'projects'))).isSymbolicLink()).toBe(true);
});
