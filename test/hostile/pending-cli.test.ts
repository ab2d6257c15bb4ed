/**
 * PENDING: hostile cases that fail today because of the command (src/cli), which was
 * being finished by another engineer while the catalogue was written. docs/safety.md
 * lists them as pending.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { fakeTerminal } from '../cli/helpers.js';
import { expectUntouched, IDS, type Sandbox, session, standardSandbox } from './helpers/world.js';

let sb: Sandbox | undefined;
afterEach(() => {
  sb?.cleanup();
  sb = undefined;
});

describe('pending (command): hostile cases that fail today', () => {
  it('P10 an account folder whose name holds terminal escapes is never printed raw by `status` or `plan`', async () => {
    // A name is data: the command should print paths the way describePlan does (control
    // characters escaped), or a folder name can clear the screen, set the window title or
    // forge lines of the output.
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

  it('P11 a session whose prompt or title holds terminal escapes is never printed raw by `list`', async () => {
    // Titles and prompts come from transcripts (pasted text, a tool's output, a file
    // synced from elsewhere): `list` should escape control characters as describePlan does.
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
