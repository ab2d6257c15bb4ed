import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Tests that spawn the command or load the published entry points need dist/. Build it
 * once per run when it is missing or older than src/, so `npm test` works on a fresh clone.
 */
export default function setup(): void {
  const built = join(root, 'dist', 'cli.js');
  const sources = Math.max(newestMtime(join(root, 'src')), statSync(join(root, 'tsup.config.ts')).mtimeMs);
  const stale = !existsSync(built) || statSync(built).mtimeMs < sources;
  if (stale) execFileSync('npx', ['--no-install', 'tsup', '--silent'], { cwd: root, stdio: 'inherit' });
}
