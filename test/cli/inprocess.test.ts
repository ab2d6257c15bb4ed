import { describe, expect, it } from 'vitest';
import { Context } from '../../src/cli/context.js';
import { CliError } from '../../src/cli/errors.js';
import { formatAge, formatBytes, table } from '../../src/cli/format.js';
import type { CliIO } from '../../src/cli/io.js';
import { progressBar, renderProgress } from '../../src/cli/progress.js';
import { confirm } from '../../src/cli/prompt.js';
import { fakeTerminal } from './support.js';

function ioOf(t: ReturnType<typeof fakeTerminal>, tty = true): CliIO {
  t.stdin.isTTY = tty;
  t.stderr.isTTY = tty;
  return { stdin: t.stdin, stdout: t.stdout, stderr: t.stderr, env: {}, cwd: '/', now: () => new Date(0) };
}

describe('confirmation', () => {
  it('asks on a terminal and goes on after "y"', async () => {
    const t = fakeTerminal();
    const ctx = new Context(ioOf(t), { home: '/h', color: false });
    const answered = confirm(ctx, 'Apply?');
    t.stdin.write('y\n');
    await answered;
    expect(t.stderr.text).toContain('Apply? [y/N]');
  });

  it('refuses on anything but yes, with EDECLINED', async () => {
    const t = fakeTerminal();
    const ctx = new Context(ioOf(t), { home: '/h' });
    const answered = confirm(ctx, 'Apply?');
    t.stdin.write('\n');
    await expect(answered).rejects.toMatchObject({ code: 'EDECLINED' });
  });

  it('refuses without a terminal unless --yes, and never reads stdin then', async () => {
    const t = fakeTerminal();
    const ctx = new Context(ioOf(t, false), { home: '/h' });
    const error = await confirm(ctx, 'Apply?').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: 'ENEEDS_CONFIRMATION' });
    expect(t.stderr.text).toBe('');
    await confirm(new Context(ioOf(t, false), { home: '/h', yes: true }), 'Apply?');
  });
});

describe('progress bar', () => {
  it('renders bytes, operations, percentage and an ETA', () => {
    const line = renderProgress(
      { opsDone: 30, opsTotal: 120, bytesDone: 25_000_000, bytesTotal: 100_000_000 },
      10_000,
      100,
      'Sharing',
    );
    expect(line).toMatch(/^Sharing \[#+-+\] {2}25% {2}25 MB\/100 MB {2}op 30\/120 {2}ETA 30s$/);
    expect(line.length).toBeLessThanOrEqual(100);
  });

  it('draws on a terminal only after the apply has run a while, and clears its line', () => {
    const t = fakeTerminal();
    let now = 0;
    const bar = progressBar(new Context(ioOf(t), { home: '/h' }), 'Applying', () => now);
    const event = { opsDone: 1, opsTotal: 4, bytesDone: 10, bytesTotal: 40 };
    bar.update(event);
    expect(t.stderr.text).toBe('');
    now = 2000;
    bar.update(event);
    expect(t.stderr.text).toMatch(/\rApplying \[.*\] {2}25%/);
    bar.done();
    expect(t.stderr.text.endsWith('\r\u001b[K')).toBe(true);
  });

  it('draws nothing without a terminal or with --json', () => {
    const t = fakeTerminal();
    let now = 0;
    const notty = progressBar(new Context(ioOf(t, false), { home: '/h' }), 'x', () => now);
    const json = progressBar(new Context(ioOf(fakeTerminal()), { home: '/h', json: true }), 'x', () => now);
    now = 5000;
    notty.update({ opsDone: 1, opsTotal: 2, bytesDone: 1, bytesTotal: 2 });
    json.update({ opsDone: 1, opsTotal: 2, bytesDone: 1, bytesTotal: 2 });
    expect(t.stderr.text).toBe('');
  });
});

describe('formatting', () => {
  it('sizes, ages and tables', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1500)).toBe('1.5 KB');
    expect(formatAge(0, 90_000)).toBe('1m ago');
    expect(formatAge(0, 3 * 86_400_000)).toBe('3d ago');
    expect(table([{ header: 'A' }, { header: 'N', align: 'right' }, { header: 'Z' }], [['xx', '7', 'end']])).toEqual([
      'A   N  Z',
      'xx  7  end',
    ]);
  });

  it('shows paths under --home as ~', () => {
    const ctx = new Context(ioOf(fakeTerminal()), { home: '/h' });
    expect(ctx.tilde('/h/.claude')).toBe('~/.claude');
    expect(ctx.tilde('/other/.claude')).toBe('/other/.claude');
  });
});

describe('run() in-process', () => {
  it('runs a command with the given streams and returns its exit code', async () => {
    const { run } = await import('../../src/cli/main.js');
    const t = fakeTerminal();
    const io = { ...ioOf(t, false), cwd: '/' };
    const code = await run(['node', 'claude-shared-sessions', 'status', '--json', '--home', '/nonexistent-home'], io);
    expect(code).toBe(0);
    const out = JSON.parse(t.stdout.text) as { accounts: unknown[]; shared: { exists: boolean }[] };
    expect(out.accounts).toEqual([]);
    expect(out.shared[0]?.exists).toBe(false);
    expect(await run(['node', 'claude-shared-sessions', 'nope'], io)).toBe(1);
  });
});
