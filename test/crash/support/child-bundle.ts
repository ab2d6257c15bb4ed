import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const CACHE = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.cache', 'claude-shared-sessions-tests');

const STEP_WORKER_ENTRY = join(import.meta.dirname, '..', '..', '..', 'src', 'apply', 'step-worker-entry.ts');

/**
 * Bundles a TypeScript entry (with its imports) into one runnable .mjs, kept under
 * node_modules/.cache (temp folders of other test runs get swept), with the executor's
 * worker entry beside it as `step-worker.js`, where the bundled executor looks for it
 * (as it does in `dist/`). Returns the bundle's path.
 */
export async function bundleChild(entry: string): Promise<string> {
  mkdirSync(CACHE, { recursive: true });
  const dir = mkdtempSync(join(CACHE, 'child-'));
  const outfile = join(dir, 'child.mjs');
  const common = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    define: { __PACKAGE_VERSION__: '"test"' },
  } as const;
  await Promise.all([
    build({ ...common, entryPoints: [entry], outfile }),
    build({ ...common, entryPoints: [STEP_WORKER_ENTRY], outfile: join(dir, 'step-worker.js') }),
  ]);
  return outfile;
}
