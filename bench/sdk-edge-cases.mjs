// @ts-check
/**
 * Lists the edge-case corpus (test/conformance/edge-corpus.mjs) with the official SDK and
 * with this library (dist/), and compares every SDK field of every row, with and
 * without includeProgrammatic. With --write, stores the SDK's listing as
 * test/conformance/edge-corpus.expected.json, which test/conformance/edge-cases.test.ts
 * compares against without needing the SDK. The SDK is installed into .bench/sdk.
 *
 *   npm run build && node bench/sdk-edge-cases.mjs [--write]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeEdgeCorpus } from '../test/conformance/edge-corpus.mjs';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const SDK_DIR = join(ROOT, '.bench', 'sdk');
const SDK = join(SDK_DIR, 'node_modules', '@anthropic-ai', 'claude-agent-sdk', 'sdk.mjs');
const FIELDS = [
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

if (!existsSync(SDK)) {
  mkdirSync(SDK_DIR, { recursive: true });
  execFileSync(
    'npm',
    ['install', '--prefix', SDK_DIR, '--no-save', '--no-audit', '--no-fund', '@anthropic-ai/claude-agent-sdk@0.3.332'],
    { stdio: 'inherit' },
  );
}
const account = join(ROOT, '.bench', 'edge', '.claude');
console.log(`${writeEdgeCorpus(account)} transcripts in ${account}`);
process.env.CLAUDE_CONFIG_DIR = account;
const sdk = await import(pathToFileURL(SDK).href);
const ours = await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href);
const view = (/** @type {Record<string, unknown>} */ r) =>
  Object.fromEntries(FIELDS.filter((f) => r[f] !== undefined).map((f) => [f, r[f]]));
const expected = {};
let diffs = 0;
for (const includeProgrammatic of [true, false]) {
  const a = (await sdk.listSessions({ includeProgrammatic })).map(view);
  const b = (await ours.listSessions({ accounts: [account], includeProgrammatic })).sessions.map(view);
  expected[includeProgrammatic ? 'all' : 'interactive'] = a;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) {
      diffs++;
      console.log(`row ${i}\n  sdk  ${JSON.stringify(a[i])}\n  ours ${JSON.stringify(b[i])}`);
    }
  }
  console.log(`includeProgrammatic ${includeProgrammatic}: ${a.length} rows, ${diffs} differences so far`);
}
if (process.argv.includes('--write')) {
  writeFileSync(
    join(ROOT, 'test', 'conformance', 'edge-corpus.expected.json'),
    `${JSON.stringify(expected, null, 2)}\n`,
  );
  console.log('wrote test/conformance/edge-corpus.expected.json');
}
process.exit(diffs === 0 ? 0 : 1);
