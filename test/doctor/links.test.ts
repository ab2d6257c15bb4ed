/**
 * Issue 10 §4: `doctor` reports symlinks inside the shared `projects/` with what Claude
 * Code shows of them (checked with the real CLI 2.1.332 and the SDK 0.3.332, see
 * docs/listing.md): a linked project folder is listed only by the picker opened in its
 * working directory, a linked transcript by no view. The library's own aliases are not
 * reported.
 */
import { mkdir, readdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cli, type Finding, json, makeSandbox, type TestSandbox } from '../cli/support.js';

let sb: TestSandbox;
beforeEach(async () => {
  sb = await makeSandbox(2);
});
afterEach(() => sb.cleanup());

it('reports a linked project folder, a linked transcript and other links; not an alias', async () => {
  expect(cli(['apply', '--yes', ...sb.args]).code).toBe(0);
  const before = json<{ findings: Finding[] }>(cli(['doctor', '--json', ...sb.args]));
  const linkCodes = new Set(['LINKED_PROJECT_FOLDER', 'LINKED_TRANSCRIPT', 'LINKED_ENTRY']);
  expect(before.findings.filter((f) => linkCodes.has(f.code))).toEqual([]);

  const shared = sb.sharedDir;
  const [first, second] = (await readdir(shared)).filter((n) => n.startsWith('-')).sort();
  if (!first || !second) throw new Error('the sandbox has fewer than two projects');
  // 1. A project folder moved out and linked back by absolute path.
  const elsewhere = join(sb.root, 'elsewhere');
  await mkdir(elsewhere);
  await rename(join(shared, first), join(elsewhere, first));
  await symlink(join(elsewhere, first), join(shared, first));
  const sessionsThere = (await readdir(join(elsewhere, first))).filter((n) => n.endsWith('.jsonl')).length;
  // 2. A transcript that is a link.
  const linkedId = '0000aaaa-0000-4000-8000-00000000aaaa';
  await writeFile(join(elsewhere, `${linkedId}.jsonl`), '{"type":"user"}\n');
  await symlink(join(elsewhere, `${linkedId}.jsonl`), join(shared, second, `${linkedId}.jsonl`));
  // 3. A link inside a project folder that is not a transcript.
  await symlink('/etc/hostname', join(shared, second, 'notes.md'));
  // 4. An alias (relative link to a sibling), as the library makes for other machines.
  await symlink(second, join(shared, '-Users-dev-alias'));
  // 5. A dangling project-folder link.
  await symlink(join(sb.root, 'gone'), join(shared, '-gone-project'));

  const r = cli(['doctor', '--json', ...sb.args]);
  const findings = json<{ findings: Finding[] }>(r).findings.filter((f) => linkCodes.has(f.code));
  expect(findings.map((f) => [f.code, f.severity, f.path])).toEqual(
    expect.arrayContaining([
      ['LINKED_PROJECT_FOLDER', 'warning', join(shared, first)],
      ['LINKED_PROJECT_FOLDER', 'warning', join(shared, '-gone-project')],
      ['LINKED_TRANSCRIPT', 'warning', join(shared, second, `${linkedId}.jsonl`)],
      ['LINKED_ENTRY', 'info', join(shared, second, 'notes.md')],
    ]),
  );
  expect(findings).toHaveLength(4);
  const folder = findings.find((f) => f.path === join(shared, first));
  expect(folder?.message).toContain(`(${sessionsThere} session${sessionsThere === 1 ? '' : 's'})`);
  expect(folder?.message).toMatch(/picker lists them only when opened in that project's working directory/);
  expect(folder?.message).toMatch(/all-projects view \(Ctrl\+A\).*hide/);
  expect(findings.find((f) => f.code === 'LINKED_TRANSCRIPT')?.message).toMatch(/lists it in no view/);
  expect(r.code).toBe(2);
});
