#!/usr/bin/env node
// Refreshes the help text embedded in docs/cli.md from the built command: each block
// between `<!-- help:NAME -->` and `<!-- /help:NAME -->` becomes the output of
// `claude-shared-sessions NAME --help` (`help` alone: the top-level --help).
//
//   npm run docs:help            rebuilds, then rewrites docs/cli.md
//   node scripts/docs-help.mjs --check   exits 1 when docs/cli.md is out of date
//
// test/cli/docs.test.ts runs the same comparison, so a new option only needs a refresh.
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const docsPath = join(root, 'docs', 'cli.md');
const cliPath = join(root, 'dist', 'cli.js');

/** What the built command prints for `args`, without colours, at the default width (80). */
export function helpOf(args) {
  const env = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  delete env.COLUMNS;
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: root, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`claude-shared-sessions ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trimEnd();
}

/** The command names, as the top-level help lists them (`help` aside). */
export function commandNames() {
  const top = helpOf(['--help']);
  const section = top.slice(top.indexOf('\nCommands:\n'));
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]).filter((n) => n !== 'help');
}

const BLOCK = /(<!-- help:([a-z-]+) -->)[\s\S]*?(<!-- \/help:\2 -->)/g;

/** docs/cli.md with every help block replaced by the command's current help. */
export function renderDocs(text, help = (name) => helpOf(name === 'help' ? ['--help'] : [name, '--help'])) {
  const seen = new Set();
  const out = text.replace(BLOCK, (_m, open, name, close) => {
    seen.add(name);
    return `${open}\n\`\`\`text\n${help(name)}\n\`\`\`\n${close}`;
  });
  const missing = ['help', ...commandNames()].filter((n) => !seen.has(n));
  if (missing.length > 0) {
    throw new Error(
      `docs/cli.md has no help block for: ${missing.join(', ')}. Add "<!-- help:NAME -->" and "<!-- /help:NAME -->" lines under its heading, then run npm run docs:help.`,
    );
  }
  return out;
}

const isMain = (() => {
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1] ?? '')).href;
  } catch {
    return false;
  }
})();

if (isMain) {
  const text = readFileSync(docsPath, 'utf8');
  const next = renderDocs(text);
  if (process.argv.includes('--check')) {
    if (next !== text) {
      console.error('docs/cli.md does not match the command’s --help: run npm run docs:help');
      process.exitCode = 1;
    }
  } else if (next !== text) {
    writeFileSync(docsPath, next);
    console.log('docs/cli.md: help blocks refreshed');
  } else console.log('docs/cli.md: help blocks up to date');
}
