/**
 * Hostile catalogue, family 1: account folders. Each case names what is tried, asserts the
 * typed error or the documented conflict/warning, and that the sandbox is untouched.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverAccounts } from '../../src/accounts/discover.js';
import { ErrorCodes } from '../../src/errors.js';
import { validatePlan } from '../../src/plan/validate.js';
import { linkShared, mergeInto, share } from '../../src/verbs/verbs.js';
import { faultyFs, recordingFs, under } from '../support/faulty-fs.js';
import { expectRefusal, expectUntouched, type Sandbox, seed, standardSandbox, verbOptions } from './support/world.js';

let sb: Sandbox | undefined;
afterEach(() => {
  sb?.cleanup();
  sb = undefined;
});

/** Every path any operation of the plan names. */
function named(plan: { operations: object[] }): string[] {
  return plan.operations.flatMap((op) =>
    Object.entries(op)
      .filter(([k]) => ['path', 'from', 'to', 'target', 'backupTo'].includes(k))
      .map(([, v]) => String(v)),
  );
}

/** The options without the named accounts: discovery finds (guesses) them. */
function guessed<T extends { accounts?: unknown }>(options: T): Omit<T, 'accounts'> {
  const { accounts: _named, ...rest } = options;
  return rest;
}

describe('hostile: account folders', () => {
  it('H01 an account folder named that does not exist is refused, not left out of a plan that goes ahead', async () => {
    sb = await standardSandbox();
    const ghost = join(sb.home, '.claude-9');
    const error = await expectUntouched(sb, () =>
      expectRefusal(
        share(verbOptions(sb as Sandbox, { accounts: [sb!.a, sb!.b, ghost] })),
        ErrorCodes.NOT_FOUND,
        /\.claude-9 does not exist.*check the account list/,
      ),
    );
    expect(error.path).toBe(ghost);
    // The same for a listing or a status read: the named list is wrong, whatever the verb.
    await expectRefusal(
      discoverAccounts({ fs: sb.fs, home: sb.home, env: {}, accounts: [sb.a, ghost] }),
      ErrorCodes.NOT_FOUND,
      /does not exist/,
    );
  });

  it('H02 an account named that is a file is refused; discovery skips a file it merely finds', async () => {
    sb = await standardSandbox();
    const file = join(sb.home, '.claude-3');
    await seed(sb.fs, { [file]: 'not a folder' });
    await expectUntouched(sb, () =>
      expectRefusal(
        share(verbOptions(sb as Sandbox, { accounts: [sb!.a, file] })),
        ErrorCodes.NOT_FOUND,
        /is not a folder.*check the account list/,
      ),
    );
    // Not named: `~/.claude-3` is a guess of discovery, and a file is no account.
    const plan = await expectUntouched(sb, () => share(guessed(verbOptions(sb as Sandbox, { discover: true }))));
    expect(plan.accounts).toEqual([sb.a, sb.b]);
    expect(named(plan).some((p) => under(file, p))).toBe(false);
  });

  it('H03 an unreadable account (EACCES) named is refused with permission denied; found by discovery, it is left out with a warning', async () => {
    sb = await standardSandbox();
    const b = sb.b;
    const fs = faultyFs(sb.fs, {
      when: (c) => under(b, c.path),
      failAt: 1,
      mode: 'from',
      code: 'EACCES',
      keep: ['link', 'copyTimes'],
    });
    await expectUntouched(sb, () =>
      expectRefusal(share(verbOptions(sb as Sandbox, { fs })), ErrorCodes.PERMISSION, /ermission denied.*ls -ld/),
    );
    expect(fs.fired.length).toBeGreaterThan(0);
    // Found through CLAUDE_CONFIG_DIR rather than named: left out, and the warning says why.
    const plan = await expectUntouched(sb, () =>
      share(guessed(verbOptions(sb as Sandbox, { fs, discover: true, env: { CLAUDE_CONFIG_DIR: b } }))),
    );
    expect(plan.accounts).toEqual([sb.a]);
    expect(plan.warnings).toContainEqual(
      expect.objectContaining({
        code: 'account-missing',
        path: b,
        message: expect.stringMatching(/ermission denied.*ls -ld/),
      }),
    );
    expect(named(plan).some((p) => under(b, p))).toBe(false);
  });

  it('H04 one config dir listed twice under different paths is one account', async () => {
    sb = await standardSandbox();
    const alias = join(sb.root, 'alias-of-claude');
    await seed(sb.fs, { [alias]: { link: sb.a } });
    const plan = await expectUntouched(sb, () =>
      share(verbOptions(sb as Sandbox, { accounts: [sb!.a, alias, sb!.b] })),
    );
    expect(plan.accounts).toEqual([sb.a, sb.b]);
    expect(validatePlan(plan)).toEqual([]);
    expect(plan.operations.filter((o) => o.type === 'symlink')).toHaveLength(2);
  });

  it('H05 projects/ that is a file is a skipped conflict, never overwritten', async () => {
    sb = await standardSandbox('disk', (s) => ({ [join(s.home, '.claude-3', 'projects')]: 'a file' }));
    const c = join(sb.home, '.claude-3');
    const plan = await expectUntouched(sb, () => share(verbOptions(sb as Sandbox, { accounts: [sb!.a, sb!.b, c] })));
    expect(plan.conflicts).toContainEqual(
      expect.objectContaining({
        code: 'not-a-directory',
        resolution: 'skipped',
        message: expect.stringMatching(/move it away/),
      }),
    );
    expect(named(plan).some((p) => under(join(c, 'projects'), p))).toBe(false);
  });

  it('H06 projects/ that is a dangling link is a skipped conflict', async () => {
    sb = await standardSandbox('disk', (s) => ({
      [join(s.home, '.claude-3', 'projects')]: { link: join(s.root, 'gone') },
    }));
    const c = join(sb.home, '.claude-3');
    const plan = await expectUntouched(sb, () => share(verbOptions(sb as Sandbox, { accounts: [sb!.a, c] })));
    expect(plan.conflicts).toContainEqual(
      expect.objectContaining({ code: 'dangling-link', message: expect.stringMatching(/remove the link/) }),
    );
    expect(named(plan).some((p) => under(join(c, 'projects'), p))).toBe(false);
  });

  it('H07 projects/ that links to another account is a skipped conflict (link-elsewhere)', async () => {
    sb = await standardSandbox('disk', (s) => ({
      [join(s.home, '.claude-3', 'projects')]: { link: join(s.b, 'projects') },
    }));
    const c = join(sb.home, '.claude-3');
    const plan = await expectUntouched(sb, () => share(verbOptions(sb as Sandbox, { accounts: [sb!.a, sb!.b, c] })));
    expect(plan.conflicts).toContainEqual(
      expect.objectContaining({
        code: 'link-elsewhere',
        resolution: 'skipped',
        paths: expect.arrayContaining([join(c, 'projects')]),
      }),
    );
    expect(named(plan).some((p) => under(join(c, 'projects'), p))).toBe(false);
  });

  it('H08 projects/ that is a link loop is a skipped conflict, and nothing loops', async () => {
    sb = await standardSandbox('disk', (s) => ({
      [join(s.home, '.claude-3', 'projects')]: { link: join(s.home, '.claude-3', 'loop') },
      [join(s.home, '.claude-3', 'loop')]: { link: join(s.home, '.claude-3', 'projects') },
    }));
    const c = join(sb.home, '.claude-3');
    const plan = await expectUntouched(sb, () => share(verbOptions(sb as Sandbox, { accounts: [sb!.a, c] })));
    expect(plan.conflicts).toContainEqual(expect.objectContaining({ code: 'dangling-link' }));
    expect(named(plan).some((p) => under(join(c, 'projects'), p))).toBe(false);
  });

  it('H09 projects/ that links to a folder outside the home is not written through, nor its files opened', async () => {
    sb = await standardSandbox('disk', (s) => ({
      [join(s.root, 'outside', '-x', 'ffffffff-0000-4000-8000-000000000009.jsonl')]: '{"outside":true}\n',
      [join(s.home, '.claude-3', 'projects')]: { link: join(s.root, 'outside') },
    }));
    const outside = join(sb.root, 'outside');
    const c = join(sb.home, '.claude-3');
    const fs = recordingFs(sb.fs);
    const plan = await expectUntouched(sb, () => share(verbOptions(sb as Sandbox, { fs, accounts: [sb!.a, c] })));
    expect(plan.conflicts).toContainEqual(expect.objectContaining({ code: 'link-elsewhere' }));
    expect(named(plan).some((p) => under(outside, p) || under(join(c, 'projects'), p))).toBe(false);
    expect(
      fs.calls.filter((x) => x.call.startsWith('open') || x.call === 'readFile').map((x) => x.path),
    ).not.toContainEqual(expect.stringContaining(outside));
  });

  it('H10 an account that is the shared folder`s parent is refused, even before the shared folder exists', async () => {
    sb = await standardSandbox('disk', (s) => ({ [s.sharedParent]: { dir: true } }));
    await expectRefusal(
      expectUntouched(sb, () => share(verbOptions(sb as Sandbox, { accounts: [sb!.a, sb!.sharedParent] }))),
      ErrorCodes.INVALID_OPTION,
      /Choose a shared folder outside/,
    );
    await seed(sb.fs, { [join(sb.shared, '-p', 'x.md')]: 'x' });
    await expectRefusal(
      expectUntouched(sb, () => share(verbOptions(sb as Sandbox, { accounts: [sb!.a, sb!.sharedParent] }))),
      ErrorCodes.INVALID_OPTION,
      /Choose a shared folder outside/,
    );
  });

  it('H11 an account that is inside the shared folder (or the shared folder itself) is refused', async () => {
    sb = await standardSandbox('disk', (s) => ({ [join(s.shared, 'nested', 'settings.json')]: '{}' }));
    for (const account of [sb.shared, join(sb.shared, 'nested')]) {
      await expectRefusal(
        expectUntouched(sb, () => share(verbOptions(sb as Sandbox, { accounts: [sb!.a, account] }))),
        ErrorCodes.INVALID_OPTION,
        /Choose a shared folder outside/,
      );
    }
  });

  it('H12 a shared folder inside an account`s projects/ is refused', async () => {
    sb = await standardSandbox();
    const inside = join(sb.a, 'projects', 'shared');
    for (const verb of [share, mergeInto, linkShared]) {
      await expectRefusal(
        expectUntouched(sb, () => verb(verbOptions(sb as Sandbox, { sharedDir: inside }))),
        ErrorCodes.INVALID_OPTION,
        /Choose a shared folder outside/,
      );
    }
  });

  it('H13 a conflicts folder inside the shared projects/ (or inside an account) is refused', async () => {
    sb = await standardSandbox();
    for (const conflictsDir of [join(sb.shared, 'conflicts'), join(sb.b, 'projects', 'c')]) {
      await expectRefusal(
        expectUntouched(sb, () => share(verbOptions(sb as Sandbox, { conflictsDir }))),
        ErrorCodes.INVALID_OPTION,
        /conflicts folder/,
      );
    }
  });

  it('H54 a settings.json that is a fifo, or a link to /dev/zero, never hangs or floods discovery, and is not rewritten', async () => {
    sb = await standardSandbox('disk', (s) => ({ [join(s.a, 'settings.json')]: { link: '/dev/zero' } }));
    execFileSync('mkfifo', ['-m', '600', join(sb.b, 'settings.json')]);
    const fs = recordingFs(sb.fs);
    const plan = await expectUntouched(sb, () => share(verbOptions(sb as Sandbox, { fs })));
    const reads = fs.calls.filter(
      (c) => (c.call.startsWith('open') || c.call === 'readFile') && c.path.endsWith('settings.json'),
    );
    expect(reads).toEqual([]);
    expect(plan.operations.filter((o) => o.type === 'writeFile')).toEqual([]);
    expect(plan.warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'settings-symlink', path: join(sb.a, 'settings.json') }),
        expect.objectContaining({ code: 'settings-not-rewritten', path: join(sb.b, 'settings.json') }),
      ]),
    );
    const accounts = await discoverAccounts({ fs, home: sb.home, env: {}, accounts: [sb.a, sb.b] });
    expect(accounts.flatMap((a) => a.problems.map((p) => p.code))).toEqual([
      'ESETTINGS_NOT_A_FILE',
      'ESETTINGS_NOT_A_FILE',
    ]);
  });
});
