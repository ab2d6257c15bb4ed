// @ts-check
/**
 * Generates a benchmark corpus: N transcripts over K accounts (config dirs) under one
 * home folder, in the shapes Claude Code 2.1 writes (src/demo/transcript.ts).
 *
 * - Accounts 1..K/2 keep their own projects/ folder; the others link projects/ to one
 *   shared folder (~/.claude-shared/projects), so their sessions are one physical copy.
 * - Sizes follow a long tail: most transcripts are 20-300 KB, some MB, a few 20-200 MB.
 *   Files over 1 MB hold real lines in their first and last 160 KB and a sparse hole
 *   between (no lister reads the middle), so the corpus fits the disk and page cache.
 * - About 3% of sessions are also copied into another account: byte-identical, an older
 *   prefix, or diverged (both copies resumed after the copy).
 * - mtimes are spread over 60 days, newest first by session index.
 *
 *   node bench/corpus.mjs --dir .bench/corpus --sessions 20000 --accounts 4 [--seed 1]
 *
 * A corpus already generated with the same options is reused (see manifest.json).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { open, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';

/** The transcript generator of src/demo/transcript.ts, compiled on the fly (it is not public API). */
async function loadGenerator() {
  const root = join(fileURLToPath(import.meta.url), '..', '..');
  // Outside the work tree, where the linter does not look.
  const outfile = join(tmpdir(), `claude-shared-sessions-bench-${process.pid}`, 'transcript.mjs');
  buildSync({
    entryPoints: [join(root, 'src', 'demo', 'transcript.ts')],
    outfile,
    format: 'esm',
    platform: 'node',
    logLevel: 'error',
  });
  return /** @type {typeof import('../src/demo/transcript.js')} */ (await import(pathToFileURL(outfile).href));
}

const SPARSE_OVER = 1 << 20;
const EDGE = 160 * 1024;
const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 27);

/**
 * @param {{ dir: string, sessions: number, accounts: number, seed?: number, log?: (s: string) => void }} o
 * @returns {Promise<{ home: string, accounts: string[], files: number, bytes: number, sparseBytes: number }>}
 */
export async function generateCorpus(o) {
  const seed = o.seed ?? 1;
  const dir = resolve(o.dir);
  const manifestPath = join(dir, 'manifest.json');
  const wanted = { version: 4, dir, sessions: o.sessions, accounts: o.accounts, seed };
  if (existsSync(manifestPath)) {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (JSON.stringify(m.options) === JSON.stringify(wanted)) return m.result;
  }
  rmSync(dir, { recursive: true, force: true });
  const home = join(dir, 'home');
  const sharedProjects = join(home, '.claude-shared', 'projects');
  const accounts = Array.from({ length: o.accounts }, (_, i) => join(home, i === 0 ? '.claude' : `.claude-${i + 1}`));
  const ownCount = Math.max(1, Math.ceil(o.accounts / 2));
  mkdirSync(sharedProjects, { recursive: true });
  const physical = [];
  accounts.forEach((a, i) => {
    mkdirSync(a, { recursive: true });
    if (i < ownCount) {
      mkdirSync(join(a, 'projects'));
      physical.push(join(a, 'projects'));
    } else {
      symlinkSync(sharedProjects, join(a, 'projects'));
    }
  });
  if (ownCount < o.accounts) physical.push(sharedProjects);

  const { createRng, generateTranscript, randomUuid } = await loadGenerator();
  const rng = createRng(seed);
  const projects = Array.from({ length: 40 }, (_, i) => `/home/dev/src/project-${i}${i % 7 === 0 ? '.v2' : ''}`);
  const encode = (/** @type {string} */ cwd) => cwd.replace(/[^a-zA-Z0-9]/g, '-');
  let files = 0;
  let bytes = 0;
  let sparseBytes = 0;
  const queue = [];

  /** @param {string} folder @param {string} id @param {string} cwd @param {string | Buffer} body @param {number} size @param {number} mtime */
  const write = async (folder, id, cwd, body, size, mtime) => {
    const dir = join(folder, encode(cwd));
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${id}.jsonl`);
    if (typeof body === 'string' || body.length >= size) {
      await writeFile(path, body);
      bytes += Buffer.byteLength(body);
    } else {
      // head + sparse hole + tail (the tail is passed after the head, split at EDGE).
      const fh = await open(path, 'w');
      const head = body.subarray(0, EDGE);
      const tail = body.subarray(EDGE);
      await fh.write(head, 0, head.length, 0);
      await fh.write(tail, 0, tail.length, size - tail.length);
      await fh.close();
      bytes += size;
      sparseBytes += size - body.length;
    }
    await utimes(path, mtime / 1000, mtime / 1000);
    files++;
  };

  for (let i = 0; i < o.sessions; i++) {
    const id = randomUuid(rng);
    const cwd = projects[Math.floor(rng() * rng() * projects.length)] ?? '/home/dev';
    const r = rng();
    // Long tail: 70% 20-300 KB, 22% 0.3-1 MB, 6% 1-20 MB, 2% 20-200 MB.
    const size =
      r < 0.7
        ? 20_000 + Math.floor(rng() * 280_000)
        : r < 0.92
          ? 300_000 + Math.floor(rng() * 700_000)
          : r < 0.98
            ? 1_000_000 + Math.floor(rng() * 19_000_000)
            : 20_000_000 + Math.floor(rng() * 180_000_000);
    const prompts = 2 + Math.floor(rng() * 6);
    const interactive = rng() < 0.4;
    const spec = {
      sessionId: id,
      cwd,
      gitBranch: rng() < 0.3 ? 'HEAD' : `feature/${Math.floor(rng() * 50)}`,
      prompts: Array.from(
        { length: prompts },
        (_, k) => `Prompt ${k + 1} of session ${i}: ${'please look at the code '.repeat(1 + Math.floor(rng() * 4))}`,
      ),
      entrypoint: /** @type {'cli' | 'sdk-cli'} */ (interactive ? 'cli' : 'sdk-cli'),
      startMs: END - Math.floor(rng() * 60 * DAY),
      seed: Math.floor(rng() * 2 ** 31),
      ...(rng() < 0.15 ? { customTitle: `Named session ${i}` } : {}),
      ...(interactive && rng() < 0.5 ? { aiTitle: `AI title ${i}` } : {}),
      ...(rng() < 0.05 ? { tag: `tag-${i % 5}` } : {}),
    };
    const mtime = END - Math.floor((i / o.sessions) * 60 * DAY) - Math.floor(rng() * 1000);
    const sparse = size > SPARSE_OVER;
    const target = sparse ? 2 * EDGE + 20_000 : size;
    const padding = Math.max(500, Math.floor(target / (prompts * 1.05)) - 1200);
    let text = generateTranscript({ ...spec, paddingPerTurn: padding });
    if (sparse) text = `${text.slice(0, EDGE)}\n${text.slice(text.length - EDGE)}`;
    const body = sparse ? Buffer.from(text) : text;
    const folder = physical[i % physical.length] ?? physical[0];
    queue.push(
      write(/** @type {string} */ (folder), id, cwd, body, sparse ? Math.max(size, body.length) : body.length, mtime),
    );

    // Copies in another physical folder: identical, an older prefix, or diverged.
    const c = rng();
    if (physical.length > 1 && c < 0.03 && !sparse) {
      const other = physical[(i + 1) % physical.length];
      let copy = text;
      let copyMtime = mtime;
      if (c < 0.01) {
        copyMtime = mtime - 3600_000; // same bytes, copied an hour earlier
      } else if (c < 0.02) {
        copy = text.slice(0, text.lastIndexOf('\n', Math.floor(text.length * 0.7)) + 1);
        copyMtime = mtime - 7200_000;
      } else {
        const more = (/** @type {string} */ who) =>
          `${JSON.stringify({ type: 'user', message: { role: 'user', content: `Continued in ${who}` }, timestamp: new Date(mtime).toISOString(), sessionId: id, cwd, entrypoint: 'cli', isSidechain: false, parentUuid: null })}\n${JSON.stringify({ type: 'last-prompt', lastPrompt: `Continued in ${who}`, sessionId: id })}\n`;
        copy = text + more('the copy');
        text += more('the original');
        copyMtime = mtime - 60_000;
      }
      queue.push(write(/** @type {string} */ (other), id, cwd, copy, copy.length, copyMtime));
    }
    if (queue.length >= 64) {
      await Promise.all(queue);
      queue.length = 0;
    }
    if (o.log && i > 0 && i % 2000 === 0) o.log(`  ${i} sessions generated`);
  }
  await Promise.all(queue);
  const result = { home, accounts, files, bytes, sparseBytes };
  await writeFile(manifestPath, JSON.stringify({ options: wanted, result }, null, 2));
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: '.bench/corpus' },
      sessions: { type: 'string', default: '20000' },
      accounts: { type: 'string', default: '4' },
      seed: { type: 'string', default: '1' },
    },
  });
  const t = performance.now();
  const r = await generateCorpus({
    dir: values.dir,
    sessions: Number(values.sessions),
    accounts: Number(values.accounts),
    seed: Number(values.seed),
    log: console.log,
  });
  console.log(
    `${r.files} transcripts, ${(r.bytes / 1e9).toFixed(2)} GB apparent (${((r.bytes - r.sparseBytes) / 1e9).toFixed(2)} GB on disk) in ${((performance.now() - t) / 1000).toFixed(1)} s at ${r.home}`,
  );
}
