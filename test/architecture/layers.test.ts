/**
 * The layers of src/ (docs/architecture.md): a module may import its own layer and the
 * layers below it, never one above. Type-only imports count too: a type is knowledge.
 * The plan layer is pure besides: no clock, no randomness, no platform, no filesystem.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(import.meta.dirname, '..', '..', 'src');

/** Lowest first. A folder of src/ or a file at its top, by name without extension. */
const LAYERS: readonly (readonly string[])[] = [
  ['errors', 'codes', 'version', 'util'],
  ['fs'],
  ['layout'],
  ['accounts'],
  ['inspect', 'sessions', 'doctor'],
  ['operations'],
  ['plan'],
  ['sync'],
  ['apply'],
  ['verbs'],
  ['index'],
  ['demo'],
  ['cli'],
];

function layerOf(file: string): number {
  const top = relative(src, file).split(sep)[0]?.replace(/\.ts$/, '') ?? '';
  const layer = LAYERS.findIndex((names) => names.includes(top));
  if (layer === -1) throw new Error(`${relative(src, file)}: ${top} is in no layer; add it to LAYERS`);
  return layer;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative module specifiers of a file's imports and re-exports, static and dynamic. */
function relativeImports(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    if (m[1]) found.push(m[1]);
  }
  for (const m of text.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) if (m[1]) found.push(m[1]);
  return found;
}

const files = sources(src);

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

describe('the layers of src/', () => {
  it('every module is in a layer', () => {
    for (const file of files) expect(() => layerOf(file)).not.toThrow();
  });

  it('no module imports a layer above its own', () => {
    const upward: string[] = [];
    for (const file of files) {
      const own = layerOf(file);
      for (const spec of relativeImports(readFileSync(file, 'utf8'))) {
        const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
        if (layerOf(target) > own) upward.push(`${relative(src, file)} imports ${relative(src, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('finds an upward import (the check can fail)', () => {
    const file = join(src, 'inspect', 'x.ts');
    const target = resolve(dirname(file), '../plan/types.js').replace(/\.js$/, '.ts');
    expect(relativeImports("import type { Plan } from '../plan/types.js';")).toEqual(['../plan/types.js']);
    expect(layerOf(target)).toBeGreaterThan(layerOf(file));
  });

  it('the plan layer reads no clock, no randomness, no platform and no filesystem', () => {
    const impure: string[] = [];
    for (const file of files.filter((f) => relative(src, f).startsWith(`plan${sep}`))) {
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      for (const pattern of [/Date\.now\(/, /new Date\(\)/, /Math\.random/, /randomUUID|randomBytes/, /process\./]) {
        if (pattern.test(code)) impure.push(`${relative(src, file)}: ${pattern.source}`);
      }
      if (/from\s+['"]node:(fs|os|child_process|worker_threads)/.test(code))
        impure.push(`${relative(src, file)}: node I/O`);
    }
    expect(impure).toEqual([]);
  });

  it('the plan, operation, executor and layout layers never read the platform (the plan carries its case rule)', () => {
    const reading: string[] = [];
    for (const file of files) {
      const top = relative(src, file).split(sep)[0];
      if (!['plan', 'operations', 'apply', 'layout'].includes(top ?? '')) continue;
      if (/process\s*\.\s*platform|\bplatform\(\)/.test(withoutComments(readFileSync(file, 'utf8')))) {
        reading.push(relative(src, file));
      }
    }
    expect(reading).toEqual([]);
    expect(/process\s*\.\s*platform/.test(withoutComments("const ci = process.platform === 'darwin';"))).toBe(true);
  });

  it("the host's case rule is decided by inspect and the retain verb only, and read for plans saved without one", () => {
    const users: string[] = [];
    for (const file of files) {
      if (/\bhostCaseInsensitive\(/.test(withoutComments(readFileSync(file, 'utf8')))) users.push(relative(src, file));
    }
    expect(users.sort()).toEqual(
      [
        join('inspect', 'inspect.ts'),
        join('layout', 'paths.ts'),
        join('util', 'host.ts'),
        join('verbs', 'retain.ts'),
      ].sort(),
    );
  });

  it('the operation layer does I/O only through the FileSystem it is handed', () => {
    const direct: string[] = [];
    for (const file of files.filter((f) => relative(src, f).startsWith(`operations${sep}`))) {
      const code = readFileSync(file, 'utf8');
      if (/from\s+['"]node:(fs|os|child_process|worker_threads)/.test(code)) direct.push(relative(src, file));
    }
    expect(direct).toEqual([]);
  });

  it('only the operation table knows what each operation type does (no switch on it elsewhere)', () => {
    // The names no other union uses (`rename` and `symlink` are also entry and state types).
    const onType = /case\s+'(mkdir|copyFile|forkSession|unlinkSymlink|writeFile|hardLink|removeFile|removeDir)'/;
    const switching: string[] = [];
    for (const file of files.filter((f) => !relative(src, f).startsWith(`operations${sep}`))) {
      const match = onType.exec(readFileSync(file, 'utf8'));
      if (match) switching.push(`${relative(src, file)}: ${match[0]}`);
    }
    expect(switching).toEqual([]);
    expect(onType.test("    case 'copyFile':")).toBe(true);
  });
});
