import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
}

describe('the built package', () => {
  it('loads through require() (CommonJS build, p-limit bundled)', () => {
    const out = node(['-e', "const m=require('./dist/index.cjs');console.log(typeof m.discoverAccounts, m.VERSION)"]);
    expect(out.trim()).toBe(`function ${pkg.version}`);
  });

  it('loads through import (ESM build)', () => {
    const out = node([
      '--input-type=module',
      '-e',
      "const m=await import('./dist/index.js');console.log(typeof m.discoverAccounts, m.VERSION)",
    ]);
    expect(out.trim()).toBe(`function ${pkg.version}`);
  });

  it('the command answers --version and --help', () => {
    expect(node(['dist/cli.js', '--version']).trim()).toBe(pkg.version);
    expect(node(['dist/cli.js', '--help'])).toMatch(/Usage: claude-shared-sessions/);
  });
});
