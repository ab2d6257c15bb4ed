#!/usr/bin/env node
/**
 * Records what the official SDK's `listSessions({ dir })` returns for each working
 * directory of scenario.mjs (and `listSessions()` for all projects), into
 * test/fixtures/sdk-list-dir.json: the expected output of `listSessions({ project })`,
 * computed by the SDK, not by this library.
 *
 *   node scripts/sdk-list-dir/record.mjs [path of the SDK's sdk.mjs]
 *   (default: $CLAUDE_AGENT_SDK, else /work/cc/node_modules/@anthropic-ai/claude-agent-sdk/sdk.mjs)
 *
 * The SDK is not a dependency of the package; install it anywhere
 * (`npm install @anthropic-ai/claude-agent-sdk@0.3.332`) and pass its path.
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildScenario, relative } from './scenario.mjs';

const sdkPath =
  process.argv[2] ?? process.env.CLAUDE_AGENT_SDK ?? '/work/cc/node_modules/@anthropic-ai/claude-agent-sdk/sdk.mjs';
const sdk = await import(sdkPath);
const version = JSON.parse(readFileSync(join(sdkPath, '..', 'package.json'), 'utf8')).version;
const root = realpathSync(mkdtempSync(join(tmpdir(), 'css-sdk-list-dir-')));
try {
  const { acct, dirs } = buildScenario(root);
  process.env.CLAUDE_CONFIG_DIR = acct;
  const fields = [
    'sessionId',
    'summary',
    'lastModified',
    'fileSize',
    'customTitle',
    'firstPrompt',
    'gitBranch',
    'cwd',
    'tag',
    'createdAt',
    'archived',
  ];
  const pick = (rows) =>
    rows.map((r) => relative(Object.fromEntries(fields.filter((f) => r[f] !== undefined).map((f) => [f, r[f]])), root));
  const views = { all: pick(await sdk.listSessions()) };
  for (const [name, dir] of Object.entries(dirs)) {
    views[name] = pick(await sdk.listSessions({ dir }));
    views[`${name} (no worktrees)`] = pick(await sdk.listSessions({ dir, includeWorktrees: false }));
  }
  const out = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'sdk-list-dir.json');
  writeFileSync(
    out,
    `${JSON.stringify({ sdk: version, recordedWith: 'node scripts/sdk-list-dir/record.mjs', views }, null, 2)}\n`,
  );
  console.log(`wrote ${out}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
