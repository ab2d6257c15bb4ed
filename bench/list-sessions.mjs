// @ts-check
/**
 * Listing benchmark: on one generated corpus (bench/corpus.mjs), in one run, times
 *
 *   floor  - stat every transcript and read its first and last 64 KB, parsing nothing
 *   ours   - listSessions({ accounts }) of this library (dist/), all accounts at once
 *   sdk    - the official SDK's listSessions(), once per account (CLAUDE_CONFIG_DIR),
 *            which is how the SDK lists several accounts
 *
 * each in its own child process (so peak RSS is its own), warm cache, and prints wall
 * time (median of the runs), the ratios, peak RSS and bytes read per transcript (from
 * /proc/self/io). It then checks that the two agree: per account, every SDK field of
 * every row. The SDK is installed on demand into .bench/sdk, never into package.json.
 *
 *   npm run bench:list -- [--sessions 20000] [--accounts 4] [--runs 3] [--sdk-runs 1] [--no-sdk]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { lstat, open, readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const BENCH = join(ROOT, '.bench');
const SDK_DIR = join(BENCH, 'sdk');
const SDK_VERSION = '0.3.332';
const WINDOW = 65_536;

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '20000' },
    accounts: { type: 'string', default: '4' },
    runs: { type: 'string', default: '3' },
    'sdk-runs': { type: 'string', default: '1' },
    'no-sdk': { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '64' },
    seed: { type: 'string', default: '1' },
    child: { type: 'string' },
    config: { type: 'string' },
  },
});

/** Bytes this process has read through read(2) and friends, or NaN off Linux. */
function rchar() {
  try {
    const m = /rchar:\s*(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'));
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The I/O floor: what any lister must do at least. */
async function floor(accounts, concurrency) {
  const dirs = [...new Set(await Promise.all(accounts.map((a) => realpath(join(a, 'projects')))))];
  const files = [];
  for (const d of dirs) {
    for (const p of await readdir(d, { withFileTypes: true })) {
      if (!p.isDirectory()) continue;
      for (const f of await readdir(join(d, p.name), { withFileTypes: true })) {
        if (f.isFile() && f.name.endsWith('.jsonl')) files.push(join(d, p.name, f.name));
      }
    }
  }
  let next = 0;
  const worker = async () => {
    const buf = Buffer.allocUnsafe(WINDOW);
    while (next < files.length) {
      const path = /** @type {string} */ (files[next++]);
      const st = await lstat(path);
      const fh = await open(path, 'r');
      try {
        await fh.read(buf, 0, WINDOW, 0);
        if (st.size > WINDOW) await fh.read(buf, 0, WINDOW, st.size - WINDOW);
      } finally {
        await fh.close();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { rows: files.length, files: files.length };
}

async function runChild(kind, config) {
  const { accounts, concurrency, out } = config;
  // Modules load before the clock starts: only the listing is timed.
  const ours = kind.startsWith('ours') ? await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href) : undefined;
  const sdk =
    kind === 'sdk'
      ? await import(pathToFileURL(join(SDK_DIR, 'node_modules', '@anthropic-ai', 'claude-agent-sdk', 'sdk.mjs')).href)
      : undefined;
  const cpu0 = process.cpuUsage();
  const before = rchar();
  const t = performance.now();
  let rows = 0;
  let files = 0;
  let dump;
  if (kind === 'floor') {
    ({ rows, files } = await floor(accounts, concurrency));
  } else if (kind === 'ours') {
    const r = await ours.listSessions({ accounts, concurrency });
    rows = r.sessions.length;
    files = r.sessions.reduce((n, s) => n + 1 + (s.copies?.length ?? 0), 0);
  } else if (kind === 'ours-per-account') {
    dump = {};
    for (const a of accounts) {
      dump[a] = (await ours.listSessions({ accounts: [a], concurrency })).sessions;
      rows += dump[a].length;
    }
  } else if (kind === 'sdk') {
    dump = {};
    for (const a of accounts) {
      process.env.CLAUDE_CONFIG_DIR = a;
      dump[a] = await sdk.listSessions();
      rows += dump[a].length;
    }
    files = rows;
  }
  const ms = performance.now() - t;
  const bytes = rchar() - before;
  const cpu = process.cpuUsage(cpu0);
  if (out && dump) writeFileSync(out, JSON.stringify(dump));
  process.stdout.write(
    JSON.stringify({
      ms,
      rows,
      files,
      bytes,
      maxRssKB: process.resourceUsage().maxRSS,
      cpuMs: (cpu.user + cpu.system) / 1000,
    }),
  );
}

function child(kind, config) {
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', kind, '--config', JSON.stringify(config)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    },
  );
  if (r.status !== 0) throw new Error(`${kind} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function ensureSdk(log) {
  const pkg = join(SDK_DIR, 'node_modules', '@anthropic-ai', 'claude-agent-sdk', 'package.json');
  if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).version === SDK_VERSION) return;
  log(`installing @anthropic-ai/claude-agent-sdk@${SDK_VERSION} into ${SDK_DIR} (bench only) ...`);
  mkdirSync(SDK_DIR, { recursive: true });
  execFileSync(
    'npm',
    [
      'install',
      '--prefix',
      SDK_DIR,
      '--no-save',
      '--no-audit',
      '--no-fund',
      `@anthropic-ai/claude-agent-sdk@${SDK_VERSION}`,
    ],
    {
      stdio: 'inherit',
    },
  );
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const SDK_FIELDS = [
  'sessionId',
  'summary',
  'lastModified',
  'fileSize',
  'customTitle',
  'firstPrompt',
  'gitBranch',
  'cwd',
  'tag',
  'createdAt',
  'archived',
];

function compare(sdkDump, oursDump) {
  let rows = 0;
  const mismatches = [];
  for (const [account, expected] of Object.entries(sdkDump)) {
    const got = oursDump[account] ?? [];
    rows += expected.length;
    if (got.length !== expected.length) mismatches.push(`${account}: ${got.length} rows, SDK ${expected.length}`);
    for (let i = 0; i < Math.min(got.length, expected.length); i++) {
      for (const f of SDK_FIELDS) {
        if (JSON.stringify(got[i][f]) !== JSON.stringify(expected[i][f])) {
          mismatches.push(
            `${account} row ${i} ${expected[i].sessionId} ${f}: ours ${JSON.stringify(got[i][f])}, SDK ${JSON.stringify(expected[i][f])}`,
          );
        }
      }
    }
  }
  return { rows, mismatches };
}

async function main() {
  const log = (s) => console.log(s);
  const sessions = Number(values.sessions);
  const accountsCount = Number(values.accounts);
  const runs = Number(values.runs);
  const sdkRuns = values['no-sdk'] ? 0 : Number(values['sdk-runs']);
  const concurrency = Number(values.concurrency);
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first.');
  const { generateCorpus } = await import('./corpus.mjs');
  log(`corpus: ${sessions} sessions over ${accountsCount} accounts ...`);
  const corpus = await generateCorpus({
    dir: join(BENCH, `corpus-${sessions}-${accountsCount}-${values.seed}`),
    sessions,
    accounts: accountsCount,
    seed: Number(values.seed),
    log,
  });
  log(
    `  ${corpus.files} transcripts, ${(corpus.bytes / 1e9).toFixed(1)} GB apparent, ${((corpus.bytes - corpus.sparseBytes) / 1e9).toFixed(1)} GB on disk`,
  );
  if (sdkRuns > 0) ensureSdk(log);
  const config = { accounts: corpus.accounts, concurrency };

  log('warming the page cache ...');
  child('floor', config);
  child('ours', config);

  const results = { floor: [], ours: [], sdk: [] };
  for (let r = 0; r < runs; r++) {
    results.floor.push(child('floor', config));
    results.ours.push(child('ours', config));
    if (r < sdkRuns) results.sdk.push(child('sdk', config));
  }

  const row = (name, rs) => {
    if (rs.length === 0) return undefined;
    const ms = median(rs.map((x) => x.ms));
    const best = Math.min(...rs.map((x) => x.ms));
    const rss = Math.max(...rs.map((x) => x.maxRssKB)) / 1024;
    const cpu = median(rs.map((x) => x.cpuMs));
    const files = rs[0].files || rs[0].rows;
    const perFile = median(rs.map((x) => x.bytes)) / files;
    return { name, ms, best, cpu, rss, rows: rs[0].rows, perFile };
  };
  const table = [row('floor', results.floor), row('ours', results.ours), row('sdk', results.sdk)].filter(Boolean);
  const f = table.find((t) => t.name === 'floor');
  const o = table.find((t) => t.name === 'ours');
  const s = table.find((t) => t.name === 'sdk');
  const os = await import('node:os');
  log('');
  log(
    `node ${process.version}, ${os.availableParallelism()} CPUs, concurrency ${concurrency}, median of ${runs} runs (SDK: ${sdkRuns})`,
  );
  log(
    `load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (other processes share the CPUs: compare ratios)`,
  );
  log('contender   wall (s)   best (s)   CPU (s)   rows     peak RSS (MB)   bytes read / transcript');
  for (const t of table) {
    log(
      `${t.name.padEnd(10)}  ${(t.ms / 1000).toFixed(2).padStart(8)}  ${(t.best / 1000).toFixed(2).padStart(9)}  ${(t.cpu / 1000).toFixed(2).padStart(8)}   ${String(t.rows).padEnd(7)}  ${t.rss.toFixed(0).padStart(13)}   ${Math.round(t.perFile).toLocaleString('en-US').padStart(12)}`,
    );
  }
  log('');
  if (o && f)
    log(
      `ours / floor = ${(o.ms / f.ms).toFixed(2)}x median, ${(o.best / f.best).toFixed(2)}x best   (target: within 4x)`,
    );
  if (o && s) {
    log(
      `ours / sdk   = ${(o.ms / s.ms).toFixed(3)}x median, ${(o.best / s.best).toFixed(3)}x best  (target: at most 0.2x; SDK / ours = ${(s.ms / o.ms).toFixed(1)}x)`,
    );
  }
  if (o) log(`ours peak RSS = ${o.rss.toFixed(0)} MB (target: under 200 MB)`);

  if (sdkRuns > 0) {
    const sdkOut = join(BENCH, 'sdk-rows.json');
    const oursOut = join(BENCH, 'ours-rows.json');
    child('sdk', { ...config, out: sdkOut });
    child('ours-per-account', { ...config, out: oursOut });
    const { rows, mismatches } = compare(
      JSON.parse(readFileSync(sdkOut, 'utf8')),
      JSON.parse(readFileSync(oursOut, 'utf8')),
    );
    log(`agreement with the SDK, per account: ${rows} rows, ${mismatches.length} field mismatches`);
    for (const m of mismatches.slice(0, 10)) log(`  ${m}`);
  }
}

if (values.child) {
  await runChild(values.child, JSON.parse(values.config ?? '{}'));
} else {
  await main();
}
