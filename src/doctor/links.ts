/**
 * `diagnose`: symlinks inside the shared `projects/`, and what Claude Code shows of them.
 * Checked with the real CLI 2.1.332 and the SDK 0.3.332 (docs/listing.md, "Which files
 * are sessions"): a project folder that is a link is listed by the `/resume` picker opened
 * in that project's working directory and by the SDK's `listSessions({ dir })`, and
 * hidden from the all-projects view (Ctrl+A) and `listSessions()`; a transcript
 * (`<uuid>.jsonl`) that is a link is listed by no view. The library's own aliases (a
 * relative link to a sibling project folder, docs/machines.md) are left out: their
 * sessions are listed through the sibling.
 */
import { join } from 'node:path';
import type { DirEntry, FileSystem } from '../fs/types.js';
import { isSessionId, sessionIdOfFile } from '../layout/names.js';
import { linkedFolder } from '../sessions/scan.js';
import { plural, tildePath } from '../util/text.js';
import type { Finding } from './finding.js';

async function entriesOf(fs: FileSystem, dir: string): Promise<DirEntry[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

/** An alias: a plain relative name of a sibling that is a real folder. */
async function isAlias(fs: FileSystem, projects: string, link: string): Promise<boolean> {
  try {
    const text = await fs.readlink(link);
    if (text === '' || text === '.' || text === '..' || /[\\/]/.test(text)) return false;
    return (await fs.lstat(join(projects, text))).type === 'directory';
  } catch {
    return false;
  }
}

/** The findings about links inside the shared `projects` folder `projects`; paths shown under `home` as `~`. */
export async function linkFindings(fs: FileSystem, projects: string, home: string): Promise<Finding[]> {
  const tilde = (path: string) => tildePath(home, path);
  const findings: Finding[] = [];
  const others: string[] = [];
  const walkOthers = async (dir: string): Promise<void> => {
    for (const e of await entriesOf(fs, dir)) {
      const path = join(dir, e.name);
      if (e.type === 'symlink') others.push(path);
      else if (e.type === 'directory') await walkOthers(path);
    }
  };
  for (const top of await entriesOf(fs, projects)) {
    const path = join(projects, top.name);
    if (top.type === 'symlink') {
      if (await isAlias(fs, projects, path)) continue;
      const target = await linkedFolder(fs, path);
      if (target === undefined) {
        findings.push({
          code: 'LINKED_PROJECT_FOLDER',
          severity: 'warning',
          message: `${tilde(path)} is a link that leads to no folder (dangling, a loop or a file): Claude Code shows no session of it anywhere. Put the project folder back in its place, or remove the link.`,
          path,
          fixable: false,
        });
        continue;
      }
      const sessions = (await entriesOf(fs, target)).filter((e) => sessionIdOfFile(e.name) !== undefined).length;
      findings.push({
        code: 'LINKED_PROJECT_FOLDER',
        severity: 'warning',
        message: `${tilde(path)} is a link to ${tilde(target)} (${plural(sessions, 'session')}). Claude Code's /resume picker lists ${sessions === 1 ? 'it' : 'them'} only when opened in that project's working directory (as does \`list --project\`); its all-projects view (Ctrl+A), the SDK's listSessions() and \`list --all\` hide ${sessions === 1 ? 'it' : 'them'}, and the retained links (the cleanup safety net) do not cover ${sessions === 1 ? 'it' : 'them'}. To show ${sessions === 1 ? 'it' : 'them'} everywhere, replace the link with the folder: rm ${path} && mv ${target} ${path}.`,
        path,
        fixable: false,
      });
      continue;
    }
    if (top.type !== 'directory') continue;
    for (const e of await entriesOf(fs, path)) {
      const inner = join(path, e.name);
      if (e.type === 'symlink' && sessionIdOfFile(e.name) !== undefined) {
        findings.push({
          code: 'LINKED_TRANSCRIPT',
          severity: 'warning',
          message: `${tilde(inner)} is a link: Claude Code lists it in no view (neither the /resume picker of its project nor the all-projects view, nor the SDK's listSessions), and the retained links do not cover it. Replace the link with the file it points to (cp --remove-destination "$(readlink -f ${inner})" ${inner}), or remove it.`,
          path: inner,
          fixable: false,
        });
      } else if (e.type === 'symlink') others.push(inner);
      else if (e.type === 'directory' && (isSessionId(e.name) || e.name === 'memory')) await walkOthers(inner);
    }
  }
  if (others.length > 0) {
    findings.push({
      code: 'LINKED_ENTRY',
      severity: 'info',
      message: `${plural(others.length, 'other link')} in the shared folder (e.g. ${tilde(others[0] ?? '')}), not a project folder nor a transcript, so no listing changes; but the library never follows links, and the retained links (the cleanup safety net) keep regular files only, so what ${others.length === 1 ? 'it points' : 'they point'} to is not kept.`,
      path: others[0] ?? '',
      fixable: false,
    });
  }
  return findings;
}
