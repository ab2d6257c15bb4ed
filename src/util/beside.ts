/**
 * Where a worker entry built beside this code is: the library's builds, the command and
 * the worker entries all sit in `dist/`, and each bundle asks from the file it was
 * bundled into. Undefined when running from the TypeScript sources (no built file).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The path of `name` (`list-worker.js`, `step-worker.js`) beside the built file running this, or undefined. */
export function builtBeside(name: string): string | undefined {
  let file: string;
  try {
    // ESM has import.meta.url; the CommonJS build has __filename (and an empty import.meta).
    const url: string | undefined = import.meta.url;
    file = url ? fileURLToPath(url) : __filename;
  } catch {
    return undefined;
  }
  return /\.(c|m)?js$/.test(file) ? join(dirname(file), name) : undefined;
}
