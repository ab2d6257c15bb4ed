import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sid, transcript } from './sessions/support.js';

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

  it("an error made by one build passes the other build's guards (a brand, not instanceof)", () => {
    const out = node([
      '--input-type=module',
      '-e',
      "import {createRequire} from 'node:module';" +
        "const c=createRequire(import.meta.url)('./dist/index.cjs');const m=await import('./dist/index.js');" +
        "const e=new c.SharedSessionsError('ELOCKED','held');" +
        'const a=c.ApplyError.from(e,{complete:true,undone:0,kept:[],errors:[]});' +
        "console.log(e instanceof m.SharedSessionsError, m.isSharedSessionsError(e,'ELOCKED'), m.isApplyError(a), m.undoOutcomeOf(a).complete)",
    ]);
    expect(out.trim()).toBe('false true true true');
  });

  it('the command answers --version and --help', () => {
    expect(node(['dist/cli.js', '--version']).trim()).toBe(pkg.version);
    expect(node(['dist/cli.js', '--help'])).toMatch(/Usage: claude-shared-sessions/);
  });

  it('ships no source maps, and the command imports the library instead of containing a copy', () => {
    const [info] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json'], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as [{ files: { path: string }[] }];
    const files = info.files.map((f) => f.path);
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('dist/index.js');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const cliText = readFileSync(join(root, 'dist', 'cli.js'), 'utf8');
    expect(cliText).toMatch(/^import\s[^;]*from\s+["']\.\/index\.js["']/m);
    const library = readFileSync(join(root, 'dist', 'index.js'), 'utf8');
    // Definitions that are the library's own: in index.js, and only there.
    for (const definition of ['function planShare(', 'function applyPlan(', 'function describePlan(']) {
      expect(library).toContain(definition);
      expect(cliText).not.toContain(definition);
    }
  });

  it('the listing worker is a file of its own, with the listing only, started by both builds', () => {
    const worker = readFileSync(join(root, 'dist', 'list-worker.js'), 'utf8');
    expect(worker).not.toMatch(/from\s+["']\.\/index\.(c)?js["']/);
    for (const definition of ['function planShare(', 'function applyPlan(', 'function discoverAccounts(']) {
      expect(worker).not.toContain(definition);
    }
    const dir = mkdtempSync(join(tmpdir(), 'css-package-worker-'));
    try {
      mkdirSync(join(dir, '-work'));
      for (let n = 0; n < 3; n++) writeFileSync(join(dir, '-work', `${sid(n)}.jsonl`), transcript(n));
      const script = (load: string) =>
        `${load};let w=0;process.on('worker',()=>w++);` +
        `m.listSessions({projectsDir:${JSON.stringify(dir)},workers:1}).then(r=>console.log(w,r.sessions.length))`;
      expect(node(['-e', script("const m=require('./dist/index.cjs')")]).trim()).toBe('1 3');
      expect(node(['--input-type=module', '-e', script("const m=await import('./dist/index.js')")]).trim()).toBe('1 3');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
