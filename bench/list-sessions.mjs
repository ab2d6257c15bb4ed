// @ts-check
/**
 * Listing benchmark, through the built command as users run it. On the shared corpus
 * (`gen-corpus.py` of the shared bench folder: real Claude Code lines, a long tail of large
 * transcripts, identical and diverged copies across accounts), each round runs, each as
 * its own process:
 *
 *   floor  - `io-floor.py CONFIG_DIR...`: stat every transcript and read its first and
 *            last 64 KB, nothing parsed (what any lister must do)
 *   ours   - `node dist/cli.js list --json --all --accounts CONFIG_DIR...`
 *   sdk    - the official SDK's `listSessions()` once per account, each in a child
 *            process with CLAUDE_CONFIG_DIR set (how the SDK lists several accounts)
 *
 * and prints, for the first round (cold-ish: whatever the page cache kept) and the
 * median of the others (warm): wall time, CPU time, peak RSS, bytes read per session,
 * and the ratios ours/sdk and ours/floor, per round and their median. It ends by
 * comparing, per account, every SDK field of every row of the command and the SDK.
 *
 *   npm run bench:list -- [--corpus DIR] [--accounts 4] [--sessions 5000] [--seed 7]
 *                         [--runs 4] [--sdk-runs 2] [--no-sdk] [--no-check]
 *                         [--shared DIR] [--sdk DIR]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { measure, median, RCHAR_PRELOAD } from './measure.mjs';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const BENCH = join(ROOT, '.bench');
const SDK_VERSION = '0.3.332';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string' },
    accounts: { type: 'string', default: '4' },
    sessions: { type: 'string', default: '5000' },
    seed: { type: 'string', default: '7' },
    runs: { type: 'string', default: '4' },
    'sdk-runs': { type: 'string', default: '2' },
    'no-sdk': { type: 'boolean', default: false },
    'no-check': { type: 'boolean', default: false },
    shared: { type: 'string' },
    sdk: { type: 'string' },
    child: { type: 'string' },
    out: { type: 'string' },
  },
});

const first = (/** @type {string[]} */ paths) => paths.find((p) => existsSync(p));

/** The SDK's listing, in this process: the child side of the `sdk` contender. */
async function sdkChild() {
  const sdk = await import(pathToFileURL(join(/** @type {string} */ (values.sdk), 'sdk.mjs')).href);
  const rows = await sdk.listSessions();
  if (values.out) writeFileSync(values.out, JSON.stringify(rows));
  process.stdout.write(`${rows.length}\n`);
}

function sharedBench() {
  const dir =
    values.shared ??
    first([join(ROOT, '..', 'shared', 'bench'), join(ROOT, '..', '..', 'shared', 'bench')]) ??
    join(ROOT, '..', 'shared', 'bench');
  for (const f of ['gen-corpus.py', 'io-floor.py']) {
    if (!existsSync(join(dir, f))) {
      throw new Error(`${join(dir, f)} is missing: pass --shared <folder holding gen-corpus.py and io-floor.py>.`);
    }
  }
  return dir;
}

function sdkDir(log) {
  const installed = join(BENCH, 'sdk', 'node_modules', '@anthropic-ai', 'claude-agent-sdk');
  const found =
    values.sdk ??
    first([
      join(ROOT, '..', 'cc', 'node_modules', '@anthropic-ai', 'claude-agent-sdk'),
      join(ROOT, '..', '..', 'cc', 'node_modules', '@anthropic-ai', 'claude-agent-sdk'),
      installed,
    ]);
  if (found !== undefined) return resolve(found);
  log(`installing @anthropic-ai/claude-agent-sdk@${SDK_VERSION} into ${join(BENCH, 'sdk')} (bench only) ...`);
  mkdirSync(join(BENCH, 'sdk'), { recursive: true });
  execFileSync(
    'npm',
    [
      'install',
      '--prefix',
      join(BENCH, 'sdk'),
      '--no-save',
      '--no-audit',
      '--no-fund',
      `@anthropic-ai/claude-agent-sdk@${SDK_VERSION}`,
    ],
    { stdio: 'inherit' },
  );
  return installed;
}

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

function compare(account, expected, got, mismatches) {
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

async function main() {
  const log = (/** @type {string} */ s) => console.log(s);
  const cli = join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/ is missing: run `npm run build` first.');
  const shared = sharedBench();
  const corpus = resolve(
    values.corpus ?? join(BENCH, `gen-corpus-${values.accounts}x${values.sessions}-${values.seed}`),
  );
  if (!existsSync(corpus)) {
    log(
      `generating the corpus into ${corpus} (a few minutes, ~${Math.round(Number(values.accounts) * Number(values.sessions) * 0.28)} MB) ...`,
    );
    execFileSync('python3', [join(shared, 'gen-corpus.py'), corpus, values.accounts, values.sessions, values.seed], {
      stdio: 'inherit',
    });
  }
  const accounts = readdirSync(corpus)
    .filter((n) => n.startsWith('acct-'))
    .sort()
    .map((n) => join(corpus, n));
  const runs = Math.max(1, Number(values.runs));
  const sdkRuns = values['no-sdk'] ? 0 : Math.min(runs, Number(values['sdk-runs']));
  const sdk = sdkRuns > 0 || !values['no-check'] ? sdkDir(log) : undefined;

  const floor = () => {
    const r = measure(['python3', join(shared, 'io-floor.py'), ...accounts], { keepStdout: true });
    const m = /(\d+) files, (\d+) MB read/.exec(r.stdout ?? '');
    return { ...r, rows: Number(m?.[1]), rchar: Number(m?.[2]) * 1e6 };
  };
  const ours = () => {
    const r = measure(
      [process.execPath, '--import', RCHAR_PRELOAD, cli, 'list', '--json', '--all', '--accounts', ...accounts],
      {
        keepStdout: true,
      },
    );
    if (r.status !== 0) throw new Error(`list failed (exit ${r.status})`);
    return { ...r, rows: JSON.parse(r.stdout ?? '[]').length, stdout: undefined };
  };
  /** One SDK child per account, one after the other: times and bytes add up, RSS is the largest. */
  const sdkList = (/** @type {string | undefined} */ outDir) => {
    const total = { status: 0, wallMs: 0, cpuMs: 0, maxRssKb: 0, rchar: 0, rows: 0 };
    for (const [i, a] of accounts.entries()) {
      const args = ['--child', 'sdk', '--sdk', /** @type {string} */ (sdk)];
      if (outDir) args.push('--out', join(outDir, `sdk-${i}.json`));
      const r = measure([process.execPath, '--import', RCHAR_PRELOAD, fileURLToPath(import.meta.url), ...args], {
        env: { CLAUDE_CONFIG_DIR: a },
        keepStdout: true,
      });
      if (r.status !== 0) throw new Error(`the SDK's listSessions failed for ${a} (exit ${r.status})`);
      total.wallMs += r.wallMs;
      total.cpuMs += r.cpuMs ?? Number.NaN;
      total.maxRssKb = Math.max(total.maxRssKb, r.maxRssKb ?? Number.NaN);
      total.rchar += r.rchar ?? Number.NaN;
      total.rows += Number(r.stdout);
    }
    return total;
  };

  log(`corpus ${corpus}: ${accounts.length} accounts`);
  log(
    `node ${process.version}, ${availableParallelism()} CPUs; load average before: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  /** @type {Record<string, any[]>} */
  const results = { floor: [], ours: [], sdk: [] };
  const loads = [];
  for (let r = 0; r < runs; r++) {
    // Alternated in every round, so that each ratio pairs runs made under the same load.
    results.floor.push(floor());
    results.ours.push(ours());
    if (r < sdkRuns) results.sdk.push(sdkList(undefined));
    loads.push(loadavg()[0]);
    const o = results.ours[r];
    log(
      `  round ${r + 1}: floor ${(results.floor[r].wallMs / 1000).toFixed(2)} s, ours ${(o.wallMs / 1000).toFixed(2)} s` +
        `${r < sdkRuns ? `, sdk ${(results.sdk[r].wallMs / 1000).toFixed(2)} s` : ''}, load ${loadavg()[0].toFixed(1)}`,
    );
  }

  const summary = (/** @type {string} */ name) => {
    const rs = results[name];
    if (rs.length === 0) return undefined;
    const warm = rs.length > 1 ? rs.slice(1) : rs;
    return {
      name,
      cold: rs[0].wallMs,
      warm: median(warm.map((x) => x.wallMs)),
      best: Math.min(...rs.map((x) => x.wallMs)),
      cpu: median(warm.map((x) => x.cpuMs)),
      rss: Math.max(...rs.map((x) => x.maxRssKb)) / 1024,
      rows: rs[0].rows,
      perRow: median(rs.map((x) => x.rchar)) / rs[0].rows,
    };
  };
  const table = ['floor', 'ours', 'sdk'].map(summary).filter((t) => t !== undefined);
  log('');
  log(
    `load average during the rounds: ${loads.map((x) => x.toFixed(1)).join(', ')} (2 CPUs shared with other work: compare ratios)`,
  );
  log('| contender | cold-ish (1st) | warm (median) | best | CPU (warm) | rows | peak RSS | bytes read / row |');
  log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const t of table) {
    log(
      `| ${t.name} | ${(t.cold / 1000).toFixed(2)} s | ${(t.warm / 1000).toFixed(2)} s | ${(t.best / 1000).toFixed(2)} s | ${(t.cpu / 1000).toFixed(2)} s | ${t.rows} | ${t.rss.toFixed(0)} MB | ${Math.round(t.perRow).toLocaleString('en-US')} |`,
    );
  }
  log('');
  const ratio = (/** @type {string} */ other, /** @type {number} */ n) => {
    const per = results.ours.slice(0, n).map((o, i) => o.wallMs / results[other][i].wallMs);
    return `${per.map((x) => x.toFixed(3)).join(', ')} per round; median ${median(per).toFixed(3)}`;
  };
  log(`ours / floor: ${ratio('floor', runs)}   (goal <= 3)`);
  if (sdkRuns > 0) log(`ours / sdk:   ${ratio('sdk', sdkRuns)}   (goal <= 0.1)`);
  const o = table.find((t) => t.name === 'ours');
  if (o) log(`ours peak RSS: ${o.rss.toFixed(0)} MB (goal < 150 MB)`);

  if (!values['no-check'] && sdk !== undefined) {
    const outDir = join(BENCH, 'list-check');
    mkdirSync(outDir, { recursive: true });
    sdkList(outDir);
    const mismatches = [];
    let rows = 0;
    for (const [i, a] of accounts.entries()) {
      const expected = JSON.parse(readFileSync(join(outDir, `sdk-${i}.json`), 'utf8'));
      const got = JSON.parse(
        measure([process.execPath, cli, 'list', '--json', '--all', '--accounts', a], { keepStdout: true }).stdout ??
          '[]',
      );
      rows += expected.length;
      compare(a, expected, got, mismatches);
    }
    log(`agreement with the SDK, per account: ${rows} rows, ${mismatches.length} field mismatches`);
    for (const m of mismatches.slice(0, 10)) log(`  ${m}`);
    if (mismatches.length > 0) process.exitCode = 1;
  }
}

if (values.child === 'sdk') await sdkChild();
else await main();
