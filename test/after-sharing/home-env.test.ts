/**
 * Issue 10 §4: the library with `home` set finds the accounts the command finds with
 * `--home`. The command drops CLAUDE_CONFIG_DIR when `--home` is given; the library used
 * to pull it in from the process environment, so a call pointed at a sandbox also found
 * (and a share would have moved) the caller's own account outside it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { discoverAccounts } from '../../src/accounts/discover.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import { cli, json } from '../cli/support.js';

let root: string | undefined;
afterEach(() => {
  vi.unstubAllEnvs();
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

it('discoverAccounts with home and no env ignores a CLAUDE_CONFIG_DIR outside that home, like --home', async () => {
  root = mkdtempSync(join(tmpdir(), 'css-home-env-'));
  const home = join(root, 'home');
  const outside = join(root, 'real-account');
  for (const d of [join(home, '.claude', 'projects'), join(home, '.claude-2', 'projects'), join(outside, 'projects')]) {
    mkdirSync(d, { recursive: true });
  }
  vi.stubEnv('CLAUDE_CONFIG_DIR', outside);
  const library = await discoverAccounts({ fs: createNodeFileSystem(), home, isProcessAlive: () => false });
  const command = json<{ accounts: { path: string }[] }>(
    cli(['status', '--json', '--home', home], { env: { CLAUDE_CONFIG_DIR: outside } }),
  );
  expect(library.map((a) => a.path)).toEqual([join(home, '.claude'), join(home, '.claude-2')]);
  expect(library.map((a) => a.path)).toEqual(command.accounts.map((a) => a.path));
  // Asked for explicitly, the environment still counts.
  const withEnv = await discoverAccounts({ fs: createNodeFileSystem(), home, env: { CLAUDE_CONFIG_DIR: outside } });
  expect(withEnv.map((a) => a.path)).toContain(outside);
});
