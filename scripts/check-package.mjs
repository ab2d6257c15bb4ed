#!/usr/bin/env node
// Packs the package as npm would publish it, then checks what is in it: no source maps,
// and a dist/cli.js that imports the library's own dist/index.js instead of bundling a
// second copy of it. Then runs publint and @arethetypeswrong/cli on the tarball. Fails on
// any problem.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'css-pack-'));
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });

/** Problems with the packed file list and the command's bundle; empty when all is well. */
export function packageProblems(files, cliText) {
  const problems = [];
  for (const f of files.filter((f) => f.endsWith('.map'))) problems.push(`source map in the tarball: ${f}`);
  if (!/^import\s[^;]*from\s+["']\.\/index\.js["']/m.test(cliText)) {
    problems.push('dist/cli.js does not import ./index.js');
  }
  // Names defined only in the library: the command must import them, not contain them.
  for (const name of ['function planShare(', 'function applyPlan(', 'function describePlan(']) {
    if (cliText.includes(name)) problems.push(`dist/cli.js contains the library (${name})`);
  }
  return problems;
}

try {
  const [info] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  const tarball = join(dir, info.filename);
  console.log(`packed ${tarball}: ${info.size} bytes, ${info.unpackedSize} unpacked, ${info.files.length} files`);
  const problems = packageProblems(
    info.files.map((f) => f.path),
    readFileSync('dist/cli.js', 'utf8'),
  );
  for (const p of problems) console.error(`check-package: ${p}`);
  if (problems.length > 0) process.exitCode = 1;
  run('npx', ['--no-install', 'publint', 'run', tarball, '--strict']);
  run('npx', ['--no-install', 'attw', tarball]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
