import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('./package.json', 'utf8')) as { version: string };
const define = { __PACKAGE_VERSION__: JSON.stringify(version) };

// Two builds of the library. p-limit (and its yocto-queue) are ESM-only: the ESM build
// imports them from node_modules like any dependency, while the CommonJS build bundles
// them, so that require() works on every supported Node without require(esm).
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    define,
  },
  {
    entry: { index: 'src/index.ts' },
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    define,
    noExternal: ['p-limit', 'yocto-queue'],
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    define,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
