// @ts-check
/**
 * Share benchmark: the library's share (plan + apply, every safety on: preconditions,
 * lock, fsynced journal, verified copies, re-sync, fsync of copies before their source is
 * moved aside) against the manual shell recipe users run today, on the same generated
 * corpus, in the same run:
 *
 *   for A in accounts: rsync -a --ignore-existing "$A/projects/" "$SHARED/"
 *   for A in accounts: mv "$A/projects" "$A/projects.bak.$(date +%s)"
 *   for A in accounts: ln -sf "$SHARED" "$A/projects"
 *
 * Corpus: N accounts x M sessions (default 4 x 5,000) written by src/demo/transcript.ts,
 * sizes with a long tail (most 5-60 KB, some hundreds of KB, a few MB), spread over 30
 * projects per account, mtimes over 60 days; about 3% of sessions also sit in a second
 * account (identical, an older prefix, or diverged). Generated once under .bench/share and
 * reused; each variant works on a fresh `cp -a` of it (caches equally warm).
 *
 * Measured per variant, in a child process: wall time; bytes written (the kernel's
 * write_bytes of the process and its children: data it caused to be written, page cache
 * or not); peak RSS of its largest process. With python3 present these come from
 * getrusage(RUSAGE_CHILDREN); else time only.
 *
 *   npm run bench:share -- [--sessions 5000] [--accounts 4] [--dir .bench/share] [--runs 1]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync } from 'node:fs';
import { open, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '5000' },
    accounts: { type: 'string', default: '4' },
    dir: { type: 'string', default: '.bench/share' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '1' },
  },
});
const SESSIONS = Number(values.sessions);
const ACCOUNTS = Number(values.accounts);
const DIR = resolve(root, values.dir ?? '.bench/share');
const RUNS = Number(values.runs);
const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 27);

/** The transcript generator of src/demo/transcript.ts, compiled on the fly (it is not public API). */
async function loadGenerator() {
  const outfile = join(root, '.bench', 'gen', 'share-transcript.mjs');
  buildSync({
    entryPoints: [join(root, 'src', 'demo', 'transcript.ts')],
    outfile,
    format: 'esm',
    platform: 'node',
    logLevel: 'error',
  });
  return /** @type {typeof import('../src/demo/transcript.js')} */ (await import(pathToFileURL(outfile).href));
}

/** Generates the corpus under DIR/template (reused when generated with the same options). */
async function corpus() {
  const template = join(DIR, 'template');
  const manifest = join(DIR, 'manifest.json');
  const wanted = { version: 2, sessions: SESSIONS, accounts: ACCOUNTS, seed: Number(values.seed) };
  if (existsSync(manifest)) {
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    if (JSON.stringify(m.options) === JSON.stringify(wanted)) return m.result;
  }
  rmSync(DIR, { recursive: true, force: true });
  const { createRng, generateTranscript, randomUuid } = await loadGenerator();
  const rng = createRng(wanted.seed);
  const home = join(template, 'home');
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => join(home, i === 0 ? '.claude' : `.claude-${i + 1}`));
  const projects = Array.from({ length: 30 }, (_, i) => `/home/dev/src/project-${i}${i % 7 === 0 ? '.v2' : ''}`);
  const encode = (/** @type {string} */ cwd) => cwd.replace(/[^a-zA-Z0-9]/g, '-');
  let files = 0;
  let bytes = 0;
  /** @type {Promise<void>[]} */
  const queue = [];
  /** @param {string} account @param {string} id @param {string} cwd @param {string} text @param {number} mtime */
  const write = async (account, id, cwd, text, mtime) => {
    const dir = join(account, 'projects', encode(cwd));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${id}.jsonl`);
    const fh = await open(path, 'w', 0o600);
    await fh.write(text);
    await fh.close();
    await utimes(path, (mtime + 0.5) / 1000, (mtime + 0.5) / 1000);
    files++;
    bytes += Buffer.byteLength(text);
  };
  const started = performance.now();
  for (const [a, account] of accounts.entries()) {
    mkdirSync(join(account, 'sessions'), { recursive: true, mode: 0o700 });
    for (let i = 0; i < SESSIONS; i++) {
      const id = randomUuid(rng);
      const cwd = projects[Math.floor(rng() * rng() * projects.length)] ?? '/home/dev';
      const r = rng();
      // Long tail: 80% 5-60 KB, 18% 60-300 KB, 2% 0.3-2 MB.
      const size =
        r < 0.8
          ? 5_000 + Math.floor(rng() * 55_000)
          : r < 0.98
            ? 60_000 + Math.floor(rng() * 240_000)
            : 300_000 + Math.floor(rng() * 1_700_000);
      const prompts = 1 + Math.floor(rng() * 6);
      const text = generateTranscript({
        sessionId: id,
        cwd,
        prompts: Array.from({ length: prompts }, (_, k) => `Prompt ${k + 1} of session ${a}/${i}`),
        startMs: END - Math.floor(rng() * 60 * DAY),
        paddingPerTurn: Math.max(300, Math.floor(size / prompts) - 1500),
        seed: Math.floor(rng() * 2 ** 31),
        ...(rng() < 0.15 ? { customTitle: `Named session ${a}/${i}` } : {}),
      });
      const mtime = END - Math.floor(rng() * 60 * DAY);
      // The same session in another account: identical, an older prefix, or diverged
      // (both copies resumed after the copy was made).
      const c = rng();
      const other = accounts[(a + 1) % ACCOUNTS] ?? account;
      const line = (/** @type {string} */ who) =>
        `${JSON.stringify({ type: 'user', message: { role: 'user', content: `Continued in ${who}` }, timestamp: new Date(mtime + 60_000).toISOString(), sessionId: id, cwd, isSidechain: false, parentUuid: null })}\n`;
      if (ACCOUNTS > 1 && c < 0.01) {
        queue.push(write(account, id, cwd, text, mtime), write(other, id, cwd, text, mtime - 3_600_000));
      } else if (ACCOUNTS > 1 && c < 0.02) {
        const prefix = text.slice(0, text.lastIndexOf('\n', Math.floor(text.length * 0.7)) + 1);
        queue.push(write(account, id, cwd, text, mtime), write(other, id, cwd, prefix, mtime - 3_600_000));
      } else if (ACCOUNTS > 1 && c < 0.03) {
        queue.push(
          write(account, id, cwd, text + line('this account'), mtime),
          write(other, id, cwd, text + line('the other account'), mtime - 3_600_000),
        );
      } else {
        queue.push(write(account, id, cwd, text, mtime));
      }
      if (queue.length >= 64) await Promise.all(queue.splice(0));
    }
  }
  await Promise.all(queue);
  const result = { accounts: accounts.map((a) => a.slice(template.length)), files, bytes };
  await writeFile(manifest, JSON.stringify({ options: wanted, result }, null, 2));
  console.log(
    `corpus: ${files} transcripts, ${(bytes / 1e9).toFixed(2)} GB, generated in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return result;
}

/** rsync, installed through apt when missing and allowed; undefined when unavailable. */
function ensureRsync() {
  const has = () => spawnSync('rsync', ['--version'], { stdio: 'ignore' }).status === 0;
  if (has()) return true;
  if (process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0) {
    console.log('rsync is missing: apt-get install -y rsync');
    spawnSync('apt-get', ['install', '-y', 'rsync'], { stdio: 'inherit' });
    if (!has()) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit' });
      spawnSync('apt-get', ['install', '-y', 'rsync'], { stdio: 'inherit' });
    }
    if (has()) return true;
  }
  console.log(
    'rsync is not installed, so the shell recipe is skipped. Install it (Debian/Ubuntu: sudo apt-get install -y rsync; macOS: brew install rsync) and run again.',
  );
  return false;
}

const HAS_PYTHON = spawnSync('python3', ['-c', 'import resource'], { stdio: 'ignore' }).status === 0;
/** Runs a command as a child of python3 and reads its rusage; falls back to timing only. */
const PY_HARNESS = `
import json, resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)
wall = time.monotonic() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"status": p.returncode, "wallMs": wall * 1000, "maxRssKb": u.ru_maxrss, "writtenBytes": u.ru_oublock * 512, "stdout": p.stdout.decode()}))
`;

/** @param {string[]} command @param {Record<string, string>} env */
function measure(command, env) {
  if (HAS_PYTHON) {
    const out = execFileSync('python3', ['-c', PY_HARNESS, ...command], {
      env: { ...process.env, ...env },
      maxBuffer: 64 << 20,
    }).toString();
    return JSON.parse(out);
  }
  const t = performance.now();
  const r = spawnSync(command[0] ?? 'true', command.slice(1), { env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  return { status: r.status, wallMs: performance.now() - t, stdout: r.stdout.toString() };
}

/** A fresh copy of the corpus for one run; old runs are set aside and removed at the end. */
function freshCopy(name) {
  const work = join(DIR, name);
  if (existsSync(work)) renameSync(work, join(DIR, `trash-${Date.now()}-${name}`));
  mkdirSync(work, { recursive: true });
  execFileSync('cp', ['-a', '--reflink=auto', join(DIR, 'template', 'home'), work]);
  return join(work, 'home');
}

/** Checks that every account is linked to the shared folder, and counts the shared transcripts. */
function check(home, accounts, sharedDir) {
  for (const a of accounts) {
    const link = join(home, a, 'projects');
    if (!lstatSync(link).isSymbolicLink() || readlinkSync(link) !== sharedDir) throw new Error(`${link} is not linked`);
  }
  let transcripts = 0;
  for (const p of readdirSync(sharedDir)) {
    if (!lstatSync(join(sharedDir, p)).isDirectory()) continue;
    for (const f of readdirSync(join(sharedDir, p))) if (f.endsWith('.jsonl')) transcripts++;
  }
  return transcripts;
}

const RECIPE = `set -e
mkdir -p "$SHARED"
for A in $ACCOUNTS; do rsync -a --ignore-existing "$A/projects/" "$SHARED/"; done
STAMP=$(date +%s)
for A in $ACCOUNTS; do mv "$A/projects" "$A/projects.bak.$STAMP"; done
for A in $ACCOUNTS; do ln -sf "$SHARED" "$A/projects"; done
`;

const mb = (/** @type {number | undefined} */ n) => (n === undefined ? '-' : (n / 1e6).toFixed(0));
const s = (/** @type {number} */ ms) => (ms / 1000).toFixed(2);

if (!existsSync(join(root, 'dist', 'index.js'))) {
  console.error('dist/ is missing: run `npm run build` first (npm run bench:share does).');
  process.exit(2);
}
const rsync = ensureRsync();
const info = await corpus();
console.log(
  `share of ${ACCOUNTS} accounts x ${SESSIONS} sessions (${info.files} transcripts, ${(info.bytes / 1e9).toFixed(2)} GB), node ${process.version}, ${HAS_PYTHON ? 'rusage via python3' : 'time only (no python3)'}`,
);
/** @type {string[][]} */
const rows = [['variant', 'time s', 'written MB', 'peak RSS MB', 'shared transcripts', 'notes']];
for (let run = 0; run < RUNS; run++) {
  for (const durable of [true, false]) {
    const home = freshCopy('library');
    const accounts = info.accounts.map((/** @type {string} */ a) => join(home, '..', a.replace(/^\/?/, '')));
    const sharedDir = join(home, '.claude-shared', 'projects');
    const m = measure([process.execPath, join(root, 'bench', 'share-apply.mjs'), home, sharedDir, ...accounts], {
      SHARE_DURABLE: durable ? '1' : '0',
    });
    if (m.status !== 0) throw new Error(`library run failed: ${m.stdout}`);
    const out = JSON.parse(m.stdout.trim().split('\n').at(-1));
    const n = check(
      join(home, '..'),
      info.accounts.map((/** @type {string} */ a) => a.replace(/^\/?/, '')),
      sharedDir,
    );
    rows.push([
      durable ? 'library share (plan + apply)' : 'library share, durable: false',
      s(m.wallMs),
      mb(m.writtenBytes),
      mb((m.maxRssKb ?? out.maxRssKb) * 1024),
      String(n),
      `plan ${s(out.planMs)} s + apply ${s(out.applyMs)} s; ${out.operations} ops, ${out.conflicts} conflicts kept${durable ? ', copies fsynced' : ''}`,
    ]);
  }
  if (rsync) {
    for (const durable of [false, true]) {
      const home = freshCopy('shell');
      const accounts = info.accounts.map((/** @type {string} */ a) => join(home, '..', a.replace(/^\/?/, '')));
      const sharedDir = join(home, '.claude-shared', 'projects');
      const script = durable ? `${RECIPE}sync\n` : RECIPE;
      const m = measure(['bash', '-c', script], { SHARED: sharedDir, ACCOUNTS: accounts.join(' ') });
      if (m.status !== 0) throw new Error('shell recipe failed');
      const n = check(
        join(home, '..'),
        info.accounts.map((/** @type {string} */ a) => a.replace(/^\/?/, '')),
        sharedDir,
      );
      rows.push([
        durable ? 'shell recipe + sync' : 'shell recipe (rsync + mv + ln)',
        s(m.wallMs),
        mb(m.writtenBytes),
        mb((m.maxRssKb ?? 0) * 1024),
        String(n),
        durable
          ? 'the same, then sync(1) so that the copies are on the device'
          : 'first copy wins; no checks, journal or undo',
      ]);
    }
  }
}
for (const name of ['library', 'shell']) {
  if (existsSync(join(DIR, name))) renameSync(join(DIR, name), join(DIR, `trash-${Date.now()}-${name}`));
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
for (const r of rows)
  console.log(r.map((c, i) => (i === 0 || i === 5 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '));
for (const trash of readdirSync(DIR).filter((n) => n.startsWith('trash-'))) {
  rmSync(join(DIR, trash), { recursive: true, force: true });
}
