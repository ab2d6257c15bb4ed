import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createSandbox, type Sandbox } from '../../src/demo/sandbox.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import { dumpTree, type TreeEntry } from '../support/tree.js';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const cliPath = join(repoRoot, 'dist', 'cli.js');
export const fs = createNodeFileSystem();

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of the tests, without what would change the command's behaviour. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === 'CLAUDE_CONFIG_DIR' || k === 'NO_COLOR' || k === 'FORCE_COLOR') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs the built command with no terminal (stdin closed, pipes for output). */
export function cli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string } = {},
): CliResult {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: cleanEnv(options.env),
    encoding: 'utf8',
    input: options.input ?? '',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Same, asynchronously (for tests that do something while the command runs). */
export function cliAsync(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export interface TestSandbox extends Sandbox {
  root: string;
  /** Global options that keep the command inside the sandbox. */
  args: string[];
  cleanup(): Promise<void>;
  dump(): Promise<Record<string, TreeEntry>>;
}

/** Three accounts with generated sessions in a temp folder (see src/demo/sandbox.ts). */
export async function makeSandbox(sessionsPerAccount = 3): Promise<TestSandbox> {
  const root = await mkdtemp(join(tmpdir(), 'css-cli-test-'));
  const sandbox = await createSandbox({ fs, root, sessionsPerAccount });
  return {
    ...sandbox,
    root,
    args: ['--home', sandbox.home, '--shared', sandbox.sharedDir, '--accounts', ...sandbox.accounts],
    cleanup: () => rm(root, { recursive: true, force: true }),
    dump: () => dumpTree(fs, sandbox.home),
  };
}

/** Parses stdout as the one JSON document it must be. */
export function json<T = unknown>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

export async function listDir(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/** A fake terminal for in-process runs: collects output, feeds typed answers. */
export function fakeTerminal() {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean; setRawMode?: (on: boolean) => void };
  stdin.isTTY = true;
  const sink = () => {
    let text = '';
    return {
      isTTY: true,
      columns: 100,
      write(chunk: string) {
        text += chunk;
        return true;
      },
      get text() {
        return text;
      },
    };
  };
  return { stdin, stdout: sink(), stderr: sink() };
}

/** A finding of `doctor --json`. */
export interface Finding {
  code: string;
  severity: string;
  message: string;
  path?: string;
  fixable: boolean;
}

/** Writes `<dir>/claude`, a shell script standing in for Claude Code (so CI never runs the real one); returns its path. */
export async function writeFakeClaude(dir: string, script: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'claude');
  await writeFile(path, script);
  await chmod(path, 0o755);
  return path;
}
