import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const CACHE = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.cache', 'claude-shared-sessions-tests');

/**
 * Bundles a TypeScript entry (with its imports) into one runnable .mjs, kept under
 * node_modules/.cache (temp folders of other test runs get swept). Returns its path.
 */
export async function bundleChild(entry: string): Promise<string> {
  mkdirSync(CACHE, { recursive: true });
  const outfile = join(mkdtempSync(join(CACHE, 'child-')), 'child.mjs');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
    define: { __PACKAGE_VERSION__: '"test"' },
  });
  return outfile;
}
