import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeProjectDir } from '../../src/layout/names.js';
import { cli, json, makeSandbox, type TestSandbox, writeFakeClaude } from './support.js';

const ID = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

describe('resume', () => {
  let sb: TestSandbox;
  let work: string;
  let fakeClaude: string;
  beforeAll(async () => {
    sb = await makeSandbox(1);
    // A session started in a folder that exists, in the second account only.
    work = await realpath(
      await mkdir(join(sb.root, 'work dir'), { recursive: true }).then(() => join(sb.root, 'work dir')),
    );
    const project = join(sb.accounts[1] as string, 'projects', encodeProjectDir(work).name);
    await mkdir(project, { recursive: true });
    const line = (o: object) => `${JSON.stringify(o)}\n`;
    await writeFile(
      join(project, `${ID}.jsonl`),
      line({ type: 'file-history-snapshot', messageId: 'm0' }) +
        line({
          type: 'user',
          cwd: work,
          sessionId: ID,
          message: { role: 'user', content: 'hello' },
          uuid: 'u1',
          timestamp: '2026-01-01T00:00:00.000Z',
        }),
    );
    fakeClaude = await writeFakeClaude(
      join(sb.root, 'bin'),
      '#!/bin/sh\necho "fake claude in $(pwd) CLAUDE_CONFIG_DIR=$CLAUDE_CONFIG_DIR args=$*"\nexit 7\n',
    );
  });
  afterAll(() => sb.cleanup());

  it('--print prints where and how to resume: the account that has it, the folder it was started in', () => {
    const account = sb.accounts[1] as string;
    const expected = `cd '${work}' && CLAUDE_CONFIG_DIR=${account} claude --resume ${ID}\n`;
    for (const id of [ID, ID.slice(0, 8), ID.toUpperCase()]) {
      const r = cli(['resume', id, '--print', ...sb.args]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(expected);
    }
    const asJson = json<{ command: string; args: string[]; cwd: string; env: Record<string, string> }>(
      cli(['resume', ID.slice(0, 8), '--print', '--json', ...sb.args]),
    );
    expect(asJson).toMatchObject({
      command: 'claude',
      args: ['--resume', ID],
      cwd: work,
      env: { CLAUDE_CONFIG_DIR: account },
    });
  });

  it('runs claude --resume there (CLAUDE_BIN), with the arguments after --, and passes its exit code on', () => {
    const r = cli(['resume', ID.slice(0, 8), ...sb.args, '--', '--model', 'opus'], { env: { CLAUDE_BIN: fakeClaude } });
    expect(r.stdout).toBe(
      `fake claude in ${work} CLAUDE_CONFIG_DIR=${sb.accounts[1]} args=--resume ${ID} --model opus\n`,
    );
    expect(r.code).toBe(7);
    const missing = cli(['resume', ID, ...sb.args], { env: { CLAUDE_BIN: join(sb.root, 'no-such-claude') } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ECLAUDE_NOT_STARTED: Could not start .*no-such-claude \(ENOENT\)/m);
  });

  it('says what is wrong: no such session, not an id, an account without it, a folder gone', async () => {
    const none = cli(['resume', 'ffffffff', ...sb.args]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^ENOTFOUND_SESSION: No session ffffffff in any of the 3 accounts/);
    const bad = cli(['resume', 'not-an-id!', ...sb.args]);
    expect(bad.stderr).toMatch(/^EINVALID_OPTION: "not-an-id!" is not a session id/);
    const other = cli(['resume', ID, '--print', '--account', sb.accounts[0] as string, ...sb.args]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^ENOTFOUND_SESSION: .* does not have session/);
    // The sandbox's own sessions were started in folders that do not exist here.
    const listed = json<{ sessionId: string; cwd: string }[]>(cli(['list', '--all', '--json', ...sb.args]));
    const elsewhere = listed.find((s) => s.sessionId !== ID) as { sessionId: string; cwd: string };
    const gone = cli(['resume', elsewhere.sessionId, '--print', ...sb.args]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`was started in ${elsewhere.cwd}, which is not a folder any more`);
  });
});
