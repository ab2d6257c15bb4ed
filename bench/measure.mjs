// @ts-check
/**
 * Helpers for the benchmarks that time whole commands: run a command as a child and
 * read its wall time, CPU time and peak RSS (from wait4, through python3 when present),
 * plus, for Node children started with {@link RCHAR_PRELOAD}, the bytes it read.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `node --import` this file to have a child write its read bytes (rchar) to $BENCH_STATS at exit. */
export const RCHAR_PRELOAD = join(fileURLToPath(import.meta.url), '..', 'rchar-preload.mjs');

export const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const HAS_PYTHON = spawnSync('python3', ['-c', 'import os'], { stdio: 'ignore' }).status === 0;
/** Runs argv, reads (and counts) its stdout, and reports the child's own rusage via wait4. */
const PY_HARNESS = `
import json, os, subprocess, sys, time
t = time.monotonic()
p = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE)
keep = sys.argv[1] == "keep"
n, chunks = 0, []
while True:
    b = p.stdout.read(1 << 16)
    if not b: break
    n += len(b)
    if keep: chunks.append(b)
_, status, ru = os.wait4(p.pid, 0)
wall = time.monotonic() - t
sys.stdout.write(json.dumps({"status": os.waitstatus_to_exitcode(status), "wallMs": wall * 1000, "maxRssKb": ru.ru_maxrss,
  "cpuMs": (ru.ru_utime + ru.ru_stime) * 1000, "stdoutBytes": n}) + "\\n")
sys.stdout.buffer.write(b"".join(chunks))
`;

/**
 * @typedef {{ status: number | null, wallMs: number, maxRssKb?: number, cpuMs?: number, stdoutBytes: number,
 *   stdout?: string, rchar?: number }} Measured
 */

/**
 * Runs `command` (argv) and measures it. With `keepStdout`, its output is returned too.
 * @param {string[]} command
 * @param {{ env?: Record<string, string>, keepStdout?: boolean }} [options]
 * @returns {Measured}
 */
export function measure(command, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-measure-'));
  const statsFile = join(dir, 'stats.json');
  const env = { ...process.env, ...options.env, BENCH_STATS: statsFile };
  try {
    /** @type {Measured} */
    let result;
    if (HAS_PYTHON) {
      const out = execFileSync('python3', ['-c', PY_HARNESS, options.keepStdout ? 'keep' : 'drop', ...command], {
        env,
        maxBuffer: 1 << 30,
        stdio: ['ignore', 'pipe', 'inherit'],
      }).toString();
      const nl = out.indexOf('\n');
      result = JSON.parse(out.slice(0, nl));
      if (options.keepStdout) result.stdout = out.slice(nl + 1);
    } else {
      const t = performance.now();
      const r = spawnSync(command[0] ?? 'true', command.slice(1), { env, maxBuffer: 1 << 30 });
      result = { status: r.status, wallMs: performance.now() - t, stdoutBytes: r.stdout.length };
      if (options.keepStdout) result.stdout = r.stdout.toString();
    }
    try {
      result.rchar = JSON.parse(readFileSync(statsFile, 'utf8')).rchar;
    } catch {}
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
