/**
 * Two machines through a real Syncthing (two instances on 127.0.0.1, started and stopped
 * by this file with ../shared/tools/syncthing-pair.sh): different project paths, share on
 * both, sync, alias/merge, a concurrent append while the link is paused, fold on one
 * machine; every line written on either machine must be in a session both machines list.
 *
 * Syncthing must be installed (`apt-get install -y syncthing`; .ci/run does it): a missing
 * binary fails this file.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTranscript } from '../../src/demo/transcript.js';
import { encodeProjectDir } from '../../src/layout/names.js';
import { cliAsync, json, repoRoot } from '../cli/support.js';

/** The checkout this one was cloned from, when it is a local folder (a clone made in a temp folder has no `../shared`). */
function originDir(): string | undefined {
  try {
    const url = execFileSync('git', ['-C', repoRoot, 'config', '--get', 'remote.origin.url'], {
      encoding: 'utf8',
    }).trim();
    return isAbsolute(url) ? url : undefined;
  } catch {
    return undefined;
  }
}
const origin = originDir();
const PAIR_CANDIDATES = [
  process.env.SYNCTHING_PAIR,
  join(repoRoot, '..', 'shared', 'tools', 'syncthing-pair.sh'),
  join(repoRoot, '..', '..', 'shared', 'tools', 'syncthing-pair.sh'),
  origin === undefined ? undefined : join(resolve(origin), '..', 'shared', 'tools', 'syncthing-pair.sh'),
].filter((p): p is string => typeof p === 'string' && p !== '');
const PAIR = PAIR_CANDIDATES.find((p) => existsSync(p));

interface Machine {
  name: 'L' | 'D';
  home: string;
  account: string;
  root: string;
  shared: string;
  /** This machine's path of the project. */
  project: string;
  /** The other machine's path prefix and this one's. */
  map: string;
}

function run(cmd: string, args: string[], env: Record<string, string>, timeoutMs: number) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('two machines through Syncthing', () => {
  let dir: string;
  let pairEnv: Record<string, string>;
  let L: Machine;
  let D: Machine;
  let started = false;

  const pair = async (...args: string[]) => {
    const r = await run('bash', [PAIR as string, ...args], pairEnv, 70_000);
    if (r.code !== 0) throw new Error(`syncthing-pair.sh ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const tool = async (m: Machine, args: string[]) => {
    const r = await cliAsync(
      [...args, '--home', m.home, '--shared', m.shared, '--accounts', m.account, '--yes', '--no-color'],
      { env: { CLAUDE_SHARED_SESSIONS_MACHINE: `machine-${m.name}` } },
    );
    return r;
  };
  const listed = async (m: Machine) => {
    const r = await tool(m, ['list', '--json', '--project', m.project]);
    expect(r.code, r.stderr).toBe(0);
    return json<{ sessionId: string; path?: string; filePath?: string }[]>(r);
  };
  /** Every line of every session a machine lists for its own project path. */
  const linesListed = async (m: Machine) => {
    const out: string[] = [];
    const projectDir = join(m.shared, encodeProjectDir(m.project).name);
    for (const s of await listed(m))
      out.push(...(await readFile(join(projectDir, `${s.sessionId}.jsonl`), 'utf8')).split('\n'));
    return out.join('\n');
  };

  beforeAll(async () => {
    expect(PAIR, `syncthing-pair.sh not found in ${PAIR_CANDIDATES.join(', ')}`).toBeDefined();
    const which = await run('bash', ['-c', 'command -v syncthing'], {}, 5000);
    expect(which.code, 'syncthing is not installed: apt-get install -y syncthing').toBe(0);
    dir = await mkdtemp(join(tmpdir(), 'css-syncthing-'));
    const machine = (name: 'L' | 'D', projectPath: string, map: string): Machine => {
      const home = join(dir, name, 'home');
      const root = join(home, '.claude-shared');
      return {
        name,
        home,
        account: join(home, '.claude'),
        root,
        shared: join(root, 'projects'),
        project: join(dir, name, projectPath),
        map,
      };
    };
    L = machine('L', 'home/alice/code/app', `${join(dir, 'D', 'Users/alice')}=${join(dir, 'L', 'home/alice')}`);
    D = machine('D', 'Users/alice/code/app', `${join(dir, 'L', 'home/alice')}=${join(dir, 'D', 'Users/alice')}`);
    pairEnv = {
      ST_PAIR_DIR: join(dir, 'pair'),
      ST_PORT_BASE: String(29100 + (process.pid % 200) * 4),
      ST_FOLDER_ID: 'claude-shared',
      ST_FOLDER_L: L.root,
      ST_FOLDER_D: D.root,
      ST_WATCH_DELAY: '1',
      ST_START_TIMEOUT: '40',
    };
  }, 20_000);

  afterAll(async () => {
    if (started) await pair('stop').catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it('lists every session on both machines, both sides of a concurrent append included, nothing deleted', async () => {
    // Each machine: one account with one session of the project, under its own path.
    const sessions: Record<string, string> = {
      L: 'aaaaaaaa-1111-4111-8111-111111111111',
      D: 'bbbbbbbb-2222-4222-8222-222222222222',
    };
    for (const m of [L, D]) {
      await mkdir(join(m.account, 'projects', encodeProjectDir(m.project).name), { recursive: true });
      await mkdir(m.project, { recursive: true });
      const text = generateTranscript({
        sessionId: sessions[m.name] as string,
        cwd: m.project,
        prompts: [`first prompt on ${m.name}`],
        startMs: Date.now() - 60_000,
      });
      await writeFile(
        join(m.account, 'projects', encodeProjectDir(m.project).name, `${sessions[m.name]}.jsonl`),
        text,
        { mode: 0o600 },
      );
      // The Syncthing folder will be the root that HOLDS projects/; its marker is there first.
      await mkdir(join(m.root, '.stfolder'), { recursive: true });
      const r = await tool(m, ['apply', '--map-path', m.map]);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(await readFile(join(m.root, '.stignore'), 'utf8')).toContain('#include .stignore-local');
      expect(existsSync(join(m.root, '.stignore-local'))).toBe(true);
    }

    started = true;
    await pair('start');
    await pair('wait-in-sync', '30');
    // Each side now has the other's project folder (a real folder under the other's slug).
    for (const m of [L, D]) {
      const names = await readdir(m.shared);
      expect(names).toContain(encodeProjectDir(L.project).name);
      expect(names).toContain(encodeProjectDir(D.project).name);
      // Per-machine files never travelled: no other machine's backups or local maps here.
      expect(await readdir(join(m.root, '.claude-shared-machines'))).toEqual(['machine-D.json', 'machine-L.json']);
    }

    // status asks Syncthing (address and API key from L's config.xml) whether the root is in sync.
    const engineOf = async (m: Machine) => {
      const r = await cliAsync(['status', '--json', '--home', m.home, '--shared', m.shared, '--accounts', m.account], {
        env: {
          CLAUDE_SHARED_SESSIONS_MACHINE: `machine-${m.name}`,
          CLAUDE_SHARED_SESSIONS_SYNCTHING_CONFIG: join(dir, 'pair', m.name, 'home', 'config.xml'),
        },
      });
      expect(r.code, r.stderr).toBe(0);
      return json<{ sync: { engineStatus?: Record<string, unknown> } }>(r).sync.engineStatus;
    };
    for (const m of [L, D]) {
      expect(await engineOf(m), `machine ${m.name}`).toMatchObject({
        folderId: 'claude-shared',
        state: 'idle',
        inSync: true,
        needItems: 0,
        remoteNeedItems: 0,
        devices: [expect.objectContaining({ connected: true, paused: false, completion: 100, needItems: 0 })],
      });
    }
    const text = await cliAsync(
      ['status', '--no-color', '--home', L.home, '--shared', L.shared, '--accounts', L.account],
      {
        env: { CLAUDE_SHARED_SESSIONS_SYNCTHING_CONFIG: join(dir, 'pair', 'L', 'home', 'config.xml') },
      },
    );
    expect(text.stdout).toContain('Syncthing: in sync (folder claude-shared, idle)');

    // One doctor --fix (on L) merges the two folders of the one project and links the other name.
    const fixed = await tool(L, ['doctor', '--fix']);
    expect(fixed.code, fixed.stderr + fixed.stdout).toBe(0);
    await pair('wait-in-sync', '30');
    for (const m of [L, D]) {
      const ids = (await listed(m)).map((s) => s.sessionId).sort();
      expect(ids, `machine ${m.name}`).toEqual([sessions.L, sessions.D].sort());
    }

    // Both machines append to L's session while the link is paused.
    await pair('pause');
    const lineOf = (who: string) =>
      `${JSON.stringify({
        type: 'user',
        sessionId: sessions.L,
        uuid: `${who}-turn`,
        timestamp: new Date().toISOString(),
        message: { role: 'user', content: `concurrent turn on ${who}` },
      })}\n`;
    for (const m of [L, D]) {
      await appendFile(join(m.shared, encodeProjectDir(m.project).name, `${sessions.L}.jsonl`), lineOf(m.name));
      await new Promise((r) => setTimeout(r, 50));
    }
    // While paused, L's status is not "in sync": the other device is paused.
    const paused = await engineOf(L);
    expect(paused).toMatchObject({ folderId: 'claude-shared', inSync: false });
    expect(paused?.devices).toEqual([expect.objectContaining({ paused: true })]);
    await pair('resume');
    await pair('wait-in-sync', '30');
    const conflictCopies = async (m: Machine) =>
      (await readdir(m.shared, { recursive: true })).filter((n) => String(n).includes('.sync-conflict-'));
    expect((await conflictCopies(L)).length + (await conflictCopies(D)).length).toBeGreaterThan(0);

    // Fold on one machine.
    const doctor = await tool(D, ['doctor', '--json']);
    const findings = json<{ findings: { code: string }[] }>(doctor).findings.map((f) => f.code);
    expect(findings).toContain('SYNC_CONFLICT_COPIES');
    const fold = await tool(D, ['doctor', '--fix']);
    expect(fold.code, fold.stderr + fold.stdout).toBe(0);
    await pair('wait-in-sync', '30');

    for (const m of [L, D]) {
      expect(await conflictCopies(m), `machine ${m.name}`).toEqual([]);
      const text = await linesListed(m);
      for (const needle of ['first prompt on L', 'first prompt on D', 'concurrent turn on L', 'concurrent turn on D']) {
        expect(text, `machine ${m.name} lists a session with "${needle}"`).toContain(needle);
      }
    }
    // Nothing deleted: the copy the fold moved is kept in the conflicts folder.
    const kept = await readdir(join(D.root, 'conflicts', 'projects'), { recursive: true });
    expect(kept.some((n) => String(n).includes('.sync-conflict-'))).toBe(true);
  }, 180_000);
});
