import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

/** Bundles a TypeScript entry (with its imports) into one runnable .mjs in a temp folder. */
export async function bundleChild(entry: string): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'css-child-')), 'child.mjs');
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
