/**
 * Hostile catalogue, family 2: what is inside an account's folder. Each case asserts the
 * documented warning, conflict or listing problem, that nothing is followed, opened or
 * read that should not be, and that planning and listing leave the sandbox untouched.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/index.js';
import { describePlan } from '../../src/plan/describe.js';
import { validatePlan } from '../../src/plan/validate.js';
import { listSessions } from '../../src/sessions/index.js';
import { share } from '../../src/verbs/verbs.js';
import { recordingFs, under } from '../support/faulty-fs.js';
import { dumpDisk } from '../support/tree.js';
import {
  applyOptions,
  expectUntouched,
  IDS,
  memSandbox,
  type Sandbox,
  seed,
  session,
  standardSandbox,
  T0,
  transcript,
  verbOptions,
} from './support/world.js';

let sb: Sandbox | undefined;
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  sb?.cleanup();
  sb = undefined;
});

/** Plan and list, both read-only: returns the share plan and the listing. */
async function planAndList(s: Sandbox, fs = s.fs) {
  return expectUntouched(s, async () => {
    const plan = await share(verbOptions(s, { fs }));
    const listing = await listSessions({
      fs,
      home: s.home,
      env: {},
      accounts: [s.a, s.b],
      isProcessAlive: () => false,
    });
    return { plan, listing };
  });
}

describe('hostile: folder contents', () => {
  it('H14 a session name that is a folder loses to the real transcript only with a type-clash warning; the listing skips it', async () => {
    sb = await standardSandbox('disk', (s) => ({
      [join(session(s.b, IDS.b), 'junk.txt')]: 'a folder named like a transcript',
    }));
    const { plan, listing } = await planAndList(sb);
    expect(plan.warnings).toContainEqual(
      expect.objectContaining({ code: 'type-clash', message: expect.stringContaining(session(sb.a, IDS.b)) }),
    );
    expect(listing.problems).toContainEqual(
      expect.objectContaining({ code: 'ENOT_A_FILE', path: session(sb.b, IDS.b) }),
    );
    expect(validatePlan(plan)).toEqual([]);
  });

  it('H15 a transcript that is a link to /etc/passwd (or elsewhere outside) is never followed, opened or copied', async () => {
    sb = await standardSandbox('disk', (s) => ({
      [join(s.root, 'outside', 'secret.jsonl')]: '{"type":"user","secret":true}\n',
      [session(s.a, IDS.d)]: { link: '/etc/passwd' },
      [session(s.b, IDS.e)]: { link: join(s.root, 'outside', 'secret.jsonl') },
    }));
    const outside = join(sb.root, 'outside');
    const fs = recordingFs(sb.fs);
    const { plan, listing } = await planAndList(sb, fs);
    const opened = fs.calls.filter((c) => c.call.startsWith('open') || c.call === 'readFile' || c.call === 'stat');
    expect(
      opened.filter(
        (c) =>
          c.path === '/etc/passwd' ||
          under(outside, c.path) ||
          c.path.endsWith(`${IDS.d}.jsonl`) ||
          c.path.endsWith(`${IDS.e}.jsonl`),
      ),
    ).toEqual([]);
    expect(plan.warnings.filter((w) => w.code === 'symlink-not-followed').map((w) => w.path)).toEqual([
      session(sb.a, IDS.d),
      session(sb.b, IDS.e),
    ]);
    expect(JSON.stringify(plan.operations)).not.toMatch(/passwd|outside/);
    expect(listing.problems.map((p) => p.code)).toEqual(['ELINKED_ENTRY', 'ELINKED_ENTRY']);
    expect(listing.sessions.map((s) => s.sessionId)).not.toContain(IDS.d);

    // Applied: the links travel with the backups as links; nothing outside is read or written.
    const outsideBefore = dumpDisk(outside);
    fs.calls.length = 0;
    await applyPlan(plan, applyOptions(sb, { fs }));
    expect(dumpDisk(outside)).toEqual(outsideBefore);
    expect(fs.calls.filter((c) => c.path === '/etc/passwd' || under(outside, c.path))).toEqual([]);
    const backup = dumpDisk(join(sb.a, 'projects.bak.1795176000'));
    expect(backup[`-home-dev-app/${IDS.d}.jsonl`]).toMatchObject({ type: 'symlink', link: '/etc/passwd' });
  });

  it('H16 a fifo and a socket named like transcripts are never opened (no hang), only warned about', async () => {
    sb = await standardSandbox();
    const fifo = session(sb.a, IDS.d);
    execFileSync('mkfifo', ['-m', '600', fifo]);
    const socketPath = session(sb.b, IDS.e);
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const fs = recordingFs(sb.fs);
    const { plan, listing } = await planAndList(sb, fs);
    expect(
      fs.calls.filter(
        (c) => (c.call.startsWith('open') || c.call === 'readFile') && (c.path === fifo || c.path === socketPath),
      ),
    ).toEqual([]);
    expect(plan.warnings.filter((w) => w.code === 'special-file').map((w) => w.path)).toEqual([fifo, socketPath]);
    expect(
      listing.problems
        .filter((p) => p.code === 'ENOT_A_FILE')
        .map((p) => p.path)
        .sort(),
    ).toEqual([fifo, socketPath].sort());
    expect(validatePlan(plan)).toEqual([]);
  });

  it('H17 a file name with a newline or escape codes is copied as is, and never printed raw', async () => {
    const evil = 'note\nop-9999 rename /home -> /dev/null\u001b[2J.md';
    sb = await standardSandbox('disk', (s) => ({
      [join(s.a, 'projects', '-home-dev-app', 'memory', evil)]: 'remember this',
    }));
    const { plan } = await planAndList(sb);
    const copy = plan.operations.find((o) => o.type === 'copyFile' && o.to.endsWith(evil));
    expect(copy).toBeDefined();
    const text = describePlan(plan, { verbose: true });
    expect(text).not.toContain('\u001b');
    expect(text.split('\n').filter((l) => l.startsWith('op-9999'))).toEqual([]);
    expect(text).toContain('note\\nop-9999');
    await applyPlan(plan, applyOptions(sb));
    expect(dumpDisk(sb.shared)[`-home-dev-app/memory/${evil}`]).toMatchObject({ type: 'file', size: 13 });
  });

  it('H18 a file name that is not valid UTF-8 is reported, not silently dropped, and its bytes stay in the backup', async () => {
    sb = await standardSandbox();
    const dir = join(sb.a, 'projects', '-home-dev-app', 'memory');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('.md')]), 'x', {
      mode: 0o600,
    });
    const { plan } = await planAndList(sb);
    expect(plan.warnings).toContainEqual(
      expect.objectContaining({ code: 'unreadable-name', message: expect.stringMatching(/not valid UTF-8.*backup/s) }),
    );
    expect(validatePlan(plan)).toEqual([]);
    await applyPlan(plan, applyOptions(sb));
    expect(dumpDisk(join(sb.a, 'projects.bak.1795176000'))['-home-dev-app/memory/bad-\\xff\\xfe.md']).toMatchObject({
      type: 'file',
      size: 1,
    });
  });

  it('H19 a 0-byte transcript is a prefix of any copy (the longer one wins) and lists without error', async () => {
    sb = await standardSandbox('disk', (s) => ({
      [session(s.a, IDS.c)]: { content: '', mtimeMs: T0 + 9e6 },
      [session(s.a, IDS.d)]: { content: '', mtimeMs: T0 },
    }));
    const { plan, listing } = await planAndList(sb);
    const toC = plan.operations.filter((o) => o.type === 'copyFile' && o.to.endsWith(`${IDS.c}.jsonl`));
    expect(toC).toEqual([expect.objectContaining({ from: session(sb.b, IDS.c), reason: 'longer' })]);
    expect(plan.conflicts).toEqual([]);
    expect(plan.operations).toContainEqual(
      expect.objectContaining({
        type: 'copyFile',
        from: session(sb.a, IDS.d),
        expectFrom: expect.objectContaining({ size: 0 }),
      }),
    );
    expect(listing.problems).toEqual([]);
    await applyPlan(plan, applyOptions(sb));
    expect(dumpDisk(sb.shared)[`-home-dev-app/${IDS.d}.jsonl`]).toMatchObject({ size: 0, mode: 0o600, mtimeMs: T0 });
  });

  it('H20 a 2 GB sparse transcript is planned and listed without being read whole', async () => {
    sb = await standardSandbox();
    const big = session(sb.a, IDS.d);
    const fd = openSync(big, 'w', 0o600);
    writeFileSync(fd, `${transcript(IDS.d, ['Huge session'])}`);
    ftruncateSync(fd, 2 * 1024 ** 3);
    closeSync(fd);
    const fs = recordingFs(sb.fs);
    const { plan, listing } = await planAndList(sb, fs);
    const touched = fs.calls.filter((c) => c.path === big);
    expect(touched.filter((c) => c.call === 'readFile')).toEqual([]);
    const bytesRead = touched.filter((c) => c.call === 'read').reduce((n, c) => n + (c.length ?? 0), 0);
    expect(bytesRead).toBeLessThanOrEqual(1024 * 1024);
    expect(plan.operations).toContainEqual(
      expect.objectContaining({
        type: 'copyFile',
        from: big,
        expectFrom: expect.objectContaining({ size: 2 * 1024 ** 3 }),
      }),
    );
    expect(listing.sessions.find((s) => s.sessionId === IDS.d)).toMatchObject({ fileSize: 2 * 1024 ** 3 });
  });

  // 10,000 files planned, applied and listed on memfs take over a minute when the CPUs are
  // shared with other work: more than the default 30 s.
  it('H21 10,000 sessions in one project folder plan, apply and list completely', async () => {
    sb = await memSandbox();
    const files: Record<string, string> = {};
    const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    for (let n = 0; n < 10_000; n++) {
      files[session(n % 2 === 0 ? sb.a : sb.b, id(n), '-big')] =
        `${JSON.stringify({ type: 'user', sessionId: id(n), cwd: '/big', timestamp: '2026-03-01T10:00:00.000Z', message: { role: 'user', content: `prompt ${n}` } })}\n`;
    }
    await seed(sb.fs, files);
    const { plan, listing } = await planAndList(sb);
    expect(plan.operations.filter((o) => o.type === 'copyFile')).toHaveLength(10_000);
    expect(validatePlan(plan)).toEqual([]);
    expect(listing.sessions).toHaveLength(10_000);
    const report = await applyPlan(plan, applyOptions(sb, { concurrency: 8 }));
    expect(report.operationsDone).toBe(plan.operations.length);
    const again = await share(verbOptions(sb));
    expect(again.operations).toEqual([]);
  }, 180_000);

  it('H22 a very deep sidecar tree is merged whole and planning again finds nothing to do', async () => {
    sb = await standardSandbox();
    const deep = join(
      sb.b,
      'projects',
      '-home-dev-app',
      IDS.c,
      'subagents',
      ...Array.from({ length: 80 }, (_, i) => `d${i}`),
    );
    await seed(sb.fs, { [join(deep, 'agent-deep.jsonl')]: '{"deep":true}\n' });
    const { plan } = await planAndList(sb);
    expect(plan.operations.filter((o) => o.type === 'mkdir').length).toBeGreaterThan(80);
    await applyPlan(plan, applyOptions(sb));
    const shared = dumpDisk(sb.shared);
    expect(Object.keys(shared).some((k) => k.endsWith('d79/agent-deep.jsonl'))).toBe(true);
    expect((await share(verbOptions(sb))).operations).toEqual([]);
  });

  it('H23 a credentials file or .claude.json inside projects/ is never copied, and the plan stays valid', async () => {
    sb = await standardSandbox('disk', (s) => ({
      [join(s.a, 'projects', '-home-dev-app', '.credentials.json')]: '{"token":"x"}',
      [join(s.b, 'projects', '.claude.json')]: '{"token":"y"}',
    }));
    const { plan } = await planAndList(sb);
    expect(JSON.stringify(plan.operations)).not.toMatch(/\.credentials\.json|\.claude\.json/);
    expect(plan.warnings.filter((w) => w.code === 'forbidden-name').map((w) => w.path)).toEqual([
      join(sb.a, 'projects', '-home-dev-app', '.credentials.json'),
      join(sb.b, 'projects', '.claude.json'),
    ]);
    expect(validatePlan(plan)).toEqual([]);
  });
});
