import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { defineConfig, type Options } from 'tsup';

const { version } = JSON.parse(readFileSync('./package.json', 'utf8')) as { version: string };
const define = { __PACKAGE_VERSION__: JSON.stringify(version) };

const src = resolve('src');
const inside = (dir: string, path: string) => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep));
};

/**
 * The command imports the library from the package's own `dist/index.js` instead of
 * bundling a second copy of it: every relative import from the command's code (src/cli,
 * src/demo) that lands in the library is rewritten to `./index.js` and left external.
 * A name the command needs must therefore be exported by src/index.ts; a missing one
 * fails at load (test/package.test.ts runs the built command).
 */
const importLibraryFromDist: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'import-library-from-dist',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const target = resolve(args.resolveDir, args.path);
      const commandCode = inside(resolve(src, 'cli'), target) || inside(resolve(src, 'demo'), target);
      if (inside(src, target) && !commandCode) return { path: './index.js', external: true };
      return undefined;
    });
  },
};

/** A worker entry's build: ESM, with p-limit bundled like the CommonJS library's. */
function workerBuild(name: string, entry: string): Options {
  return {
    entry: { [name]: entry },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    define,
    noExternal: ['p-limit', 'yocto-queue'],
  };
}

// Two builds of the library. p-limit (and its yocto-queue) are ESM-only: the ESM build
// imports them from node_modules like any dependency, while the CommonJS build bundles
// them, so that require() works on every supported Node without require(esm).
// No source maps: they tripled the tarball, and the published code is not minified.
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    dts: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    define,
  },
  {
    entry: { index: 'src/index.ts' },
    format: ['cjs'],
    dts: true,
    target: 'node20',
    platform: 'node',
    define,
    noExternal: ['p-limit', 'yocto-queue'],
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    define,
    banner: { js: '#!/usr/bin/env node' },
    esbuildPlugins: [importLibraryFromDist],
  },
  // The worker threads, each on its own (a worker loads its own code only, not the whole
  // library). Both library builds and the command start them from beside themselves, in
  // dist/ (src/util/beside.ts).
  workerBuild('list-worker', 'src/sessions/worker-entry.ts'),
  workerBuild('step-worker', 'src/apply/step-worker-entry.ts'),
]);
