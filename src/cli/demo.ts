import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverAccounts } from '../accounts/discover.js';
import { createSandbox } from '../demo/sandbox.js';
import { createNodeFileSystem } from '../fs/node.js';

export interface DemoOptions {
  keep: boolean;
  out: NodeJS.WritableStream;
}

/** Builds a sandbox of three accounts in a temp folder and narrates what the library sees. */
export async function runDemo(options: DemoOptions): Promise<void> {
  const say = (line = '') => options.out.write(`${line}\n`);
  const root = await mkdtemp(join(tmpdir(), 'claude-shared-sessions-demo-'));
  try {
    const fs = createNodeFileSystem();
    const sandbox = await createSandbox({ fs, root });
    say(`Sandbox: ${sandbox.home} (three accounts with generated sessions)`);
    say();
    say('1. discoverAccounts(): what each account holds');
    const accounts = await discoverAccounts({ fs, home: sandbox.home, env: {}, sharedDir: sandbox.sharedDir });
    for (const a of accounts) {
      say(
        `   ${a.label.padEnd(14)} projects/: ${a.projects.kind.padEnd(10)} ${String(a.sessions).padStart(3)} sessions ` +
          `${(a.sessionBytes / 1024).toFixed(0).padStart(6)} KiB  cleanupPeriodDays=${a.cleanupPeriodDays}` +
          `${a.runningPids.length ? `  running: ${a.runningPids.join(',')}` : ''}`,
      );
    }
  } finally {
    if (options.keep) say(`\nKept the sandbox at ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}
