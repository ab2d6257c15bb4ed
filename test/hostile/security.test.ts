/**
 * Hostile catalogue, family 6: security. The shared folder every account resumes from
 * must be the user's own and closed to others; links never lead out of the roots; and
 * credentials, `.claude.json` and `sessions/` are never read, copied, linked or printed.
 */
import { chmodSync, chownSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverAccounts } from '../../src/accounts/discover.js';
import { applyPlan, recover } from '../../src/apply/index.js';
import { run } from '../../src/cli/main.js';
import { ErrorCodes } from '../../src/errors.js';
import { inspect } from '../../src/inspect/inspect.js';
import { describePlan } from '../../src/plan/describe.js';
import { listSessions } from '../../src/sessions/index.js';
import { linkShared, mergeInto, rollback, share } from '../../src/verbs/verbs.js';
import { fakeTerminal } from '../cli/support.js';
import { hookFs, recordingFs, under } from '../support/faulty-fs.js';
import { dumpDisk } from '../support/tree.js';
import {
  applyOptions,
  expectRefusal,
  expectUntouched,
  IDS,
  type Sandbox,
  SECRET,
  session,
  standardSandbox,
  verbOptions,
} from './support/world.js';

let sb: Sandbox | undefined;
afterEach(() => {
  sb?.cleanup();
  sb = undefined;
});

const refusingVerbs = [share, mergeInto, linkShared] as const;

describe('hostile: security', () => {
  it('H47 folders the library creates are 0700 (whatever the umask), and never writable by others', async () => {
    sb = await standardSandbox('disk', (s) => ({
      [join(s.b, 'projects', '-open-project')]: { dir: true, mode: 0o777 },
      [session(s.b, IDS.d, '-open-project')]: { content: '{"type":"user"}\n', mode: 0o644 },
    }));
    const plan = await share(verbOptions(sb));
    const mkdirs = plan.operations.filter((o) => o.type === 'mkdir');
    expect(mkdirs.find((o) => o.path === sb?.sharedParent)).toMatchObject({ mode: 0o700 });
    expect(mkdirs.find((o) => o.path === sb?.shared)).toMatchObject({ mode: 0o700 });
    expect(mkdirs.filter((o) => o.mode & 0o022)).toEqual([]);
    const umask = process.umask(0);
    try {
      await applyPlan(plan, applyOptions(sb));
    } finally {
      process.umask(umask);
    }
    const created = dumpDisk(sb.sharedParent);
    expect(dumpDisk(sb.home)['.claude-shared']).toMatchObject({ type: 'directory', mode: 0o700 });
    const open = Object.entries(created).filter(([, e]) => e.type === 'directory' && e.mode & 0o022);
    expect(open).toEqual([]);
  });

  it('H48 a shared folder writable by group or others is refused (EUNSAFE_SHARED); rollback still restores, without carrying', async () => {
    sb = await standardSandbox('disk', (s) => ({ [s.shared]: { dir: true, mode: 0o777 } }));
    for (const mode of [0o777, 0o770, 0o702]) {
      chmodSync(sb.shared, mode);
      for (const verb of refusingVerbs) {
        await expectRefusal(
          expectUntouched(sb, () => verb(verbOptions(sb as Sandbox))),
          ErrorCodes.UNSAFE_SHARED,
          /writable by (other users|its group).*chmod go-w/,
        );
      }
    }
    await expectRefusal(
      rollback({ ...verbOptions(sb), carry: 'own' }),
      ErrorCodes.UNSAFE_SHARED,
      /carry files back.*chmod go-w/s,
    );
    const back = await rollback(verbOptions(sb));
    expect(back.warnings).toContainEqual(expect.objectContaining({ code: 'unsafe-shared', path: sb.shared }));
  });

  it('H49 a shared folder (or its parent) owned by another user is refused', async () => {
    sb = await standardSandbox('disk', (s) => ({ [join(s.shared, '-p')]: { dir: true } }));
    const me = process.getuid?.() ?? 0;
    const shared = sb.shared;
    const parent = sb.sharedParent;
    // Faked through the filesystem interface, so that the case runs as any user.
    for (const owned of [shared, parent]) {
      const fs = hookFs(sb.fs, {
        stat: (c, st) => (c.path === owned ? { ...st, uid: me + 4242 } : st),
      });
      await expectRefusal(
        expectUntouched(sb, () => share(verbOptions(sb as Sandbox, { fs }))),
        ErrorCodes.UNSAFE_SHARED,
        new RegExp(`${owned.replaceAll('/', '\\/')} belongs to user ${me + 4242}.*Use a shared folder you own`),
      );
    }
    // And for real, where the tests run as root (as CI does).
    if (me === 0) {
      chownSync(shared, 4242, 4242);
      await expectRefusal(
        expectUntouched(sb, () => share(verbOptions(sb as Sandbox))),
        ErrorCodes.UNSAFE_SHARED,
        /belongs to user 4242/,
      );
    }
  });

  it('H50 a folder above the shared folder that anyone may write to is refused, unless it is sticky like /tmp', async () => {
    sb = await standardSandbox();
    chmodSync(sb.home, 0o777);
    await expectRefusal(
      expectUntouched(sb, () => share(verbOptions(sb as Sandbox))),
      ErrorCodes.UNSAFE_SHARED,
      new RegExp(`${sb.home.replaceAll('/', '\\/')} is writable by other users`),
    );
    chmodSync(sb.home, 0o1777);
    const plan = await share(verbOptions(sb));
    expect(plan.operations.length).toBeGreaterThan(0);
    // Sharing straight into a world-writable parent (a shared folder in /tmp-like places) is refused.
    await expectRefusal(
      share(verbOptions(sb, { sharedDir: join(sb.home, 'projects') })),
      ErrorCodes.UNSAFE_SHARED,
      /writable by other users/,
    );
    chmodSync(sb.home, 0o700);
  });

  it('H51 files keep their modes in the shared folder, the conflicts folder and the backups', async () => {
    sb = await standardSandbox('disk', (s) => ({
      [session(s.a, IDS.c)]: {
        content: '{"type":"user","diverged":"a"}\n',
        mode: 0o640,
        mtimeMs: Date.parse('2026-04-01T00:00:00Z'),
      },
      [session(s.a, IDS.e)]: { content: '{"type":"user"}\n', mode: 0o600 },
    }));
    const plan = await share({ ...verbOptions(sb), onDiverged: 'keep-newest' });
    await applyPlan(plan, applyOptions(sb));
    const shared = dumpDisk(sb.shared);
    expect(shared[`-home-dev-app/${IDS.e}.jsonl`]?.mode).toBe(0o600);
    expect(shared[`-home-dev-app/${IDS.b}.jsonl`]?.mode).toBe(0o600);
    const kept = Object.values(dumpDisk(sb.conflicts)).filter((e) => e.type === 'file');
    expect(kept.map((e) => e.mode)).toEqual([0o640]);
    expect(dumpDisk(join(sb.a, 'projects.bak.1795176000'))[`-home-dev-app/${IDS.c}.jsonl`]?.mode).toBe(0o640);
  });

  it('H52 credentials, .claude.json and sessions/ are never read, copied, linked or printed, through a whole share, listing and rollback', async () => {
    sb = await standardSandbox();
    const fs = recordingFs(sb.fs);
    const forbidden = (p: string) =>
      p.endsWith('.credentials.json') || p.endsWith('.claude.json') || /\/sessions\/./.test(p);
    const printed: string[] = [];

    const accounts = await discoverAccounts({ fs, home: sb.home, env: {}, isProcessAlive: () => false });
    printed.push(JSON.stringify(accounts), JSON.stringify(await inspect(verbOptions(sb, { fs }))));
    const plan = await share(verbOptions(sb, { fs }));
    printed.push(JSON.stringify(plan), describePlan(plan, { verbose: true }));
    printed.push(JSON.stringify(await applyPlan(plan, applyOptions(sb, { fs }))));
    printed.push(JSON.stringify(await listSessions({ fs, home: sb.home, env: {}, isProcessAlive: () => false })));
    const back = await rollback({ ...verbOptions(sb, { fs }), carry: 'own' });
    printed.push(JSON.stringify(back), describePlan(back, { verbose: true }));
    printed.push(JSON.stringify(await applyPlan(back, applyOptions(sb, { fs }))));
    printed.push(JSON.stringify(await recover({ fs, home: sb.home, isProcessAlive: () => false })));

    const touched = fs.calls.filter((c) => forbidden(c.path) || forbidden(c.dest ?? ''));
    expect(touched).toEqual([]);
    // sessions/ itself is only listed (the names are the pids of running Claude Code).
    const sessionsCalls = fs.calls.filter((c) => /\/sessions$/.test(c.path));
    expect([...new Set(sessionsCalls.map((c) => c.call))].sort()).toEqual(['readdir']);
    for (const text of printed) expect(text).not.toContain(SECRET);
    for (const account of [sb.a, sb.b]) {
      expect(readFileSync(join(account, '.credentials.json'), 'utf8')).toContain(SECRET);
      expect(dumpDisk(account)['.credentials.json']).toMatchObject({ type: 'file', mode: 0o600 });
    }
  });

  it('H53 a project folder that is a link out of the account is neither followed nor listed through', async () => {
    sb = await standardSandbox('disk', (s) => ({
      [join(s.root, 'elsewhere', '-linked-project', `${IDS.d}.jsonl`)]: '{"type":"user","elsewhere":true}\n',
      [join(s.a, 'projects', '-linked-project')]: { link: join(s.root, 'elsewhere', '-linked-project') },
    }));
    const link = join(sb.a, 'projects', '-linked-project');
    const fs = recordingFs(sb.fs);
    const plan = await expectUntouched(sb, () => share(verbOptions(sb as Sandbox, { fs })));
    const listing = await listSessions({ fs, home: sb.home, env: {}, accounts: [sb.a], isProcessAlive: () => false });
    const through = fs.calls.filter(
      (c) => c.path.startsWith(`${link}/`) || (c.path === link && !['lstat', 'readlink'].includes(c.call)),
    );
    expect(through).toEqual([]);
    expect(plan.warnings).toContainEqual(expect.objectContaining({ code: 'symlink-not-followed', path: link }));
    expect(listing.problems).toContainEqual(expect.objectContaining({ code: 'ELINKED_ENTRY', path: link }));
    expect(JSON.stringify(plan.operations)).not.toContain('elsewhere');
    expect(under(sb.root, link)).toBe(true);
  });

  it('H55 an account folder whose name holds terminal escapes is never printed raw by `status` or `plan`', async () => {
    // A name is data: the command prints it the way describePlan does (control characters
    // escaped), or a folder name could clear the screen, set the window title or forge lines.
    const evil = '.claude-\u001b]0;pwned\u0007\u001b[2J';
    sb = await standardSandbox('disk', (s) => ({ [join(s.home, evil, 'settings.json')]: '{}' }));
    const home = sb.home;
    for (const command of ['status', 'plan']) {
      const t = fakeTerminal();
      await expectUntouched(sb, () =>
        run(['node', 'claude-shared-sessions', command, '--home', home, '--no-color'], {
          stdin: t.stdin,
          stdout: t.stdout,
          stderr: t.stderr,
          env: {},
          cwd: home,
          now: () => new Date('2026-11-20T12:00:00Z'),
        }),
      );
      expect(`${t.stdout.text}${t.stderr.text}`).toContain('.claude-');
      expect(`${t.stdout.text}${t.stderr.text}`).not.toMatch(/\u001b|\u0007/);
    }
  });

  it('H56 a session whose prompt holds terminal escapes is never printed raw by `list`', async () => {
    // Titles and prompts come from transcripts (pasted text, a tool's output, a file synced
    // from elsewhere).
    sb = await standardSandbox('disk', (s) => ({
      [session(s.a, IDS.e)]: `${JSON.stringify({
        type: 'user',
        sessionId: IDS.e,
        cwd: '/home/dev/app',
        timestamp: '2026-03-01T10:00:00.000Z',
        message: { role: 'user', content: 'hello \u001b]0;pwned\u0007\u001b[2J world' },
      })}\n`,
    }));
    const t = fakeTerminal();
    const home = sb.home;
    await expectUntouched(sb, () =>
      run(['node', 'claude-shared-sessions', 'list', '--all', '--home', home, '--no-color'], {
        stdin: t.stdin,
        stdout: t.stdout,
        stderr: t.stderr,
        env: {},
        cwd: home,
        now: () => new Date('2026-11-20T12:00:00Z'),
      }),
    );
    expect(t.stdout.text).toContain('hello');
    expect(`${t.stdout.text}${t.stderr.text}`).not.toMatch(/\u001b|\u0007/);
  });
});
