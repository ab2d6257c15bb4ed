import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { commandNames, docsPath, helpOf, renderDocs } from '../../scripts/docs-help.mjs';
import { repoRoot } from './support.js';

const names = (commandNames as () => string[])();
const help = helpOf as (args: string[]) => string;

describe('the help text and the docs', () => {
  it('docs/cli.md embeds every command’s current --help (refresh: npm run docs:help)', () => {
    const text = readFileSync(docsPath as string, 'utf8');
    expect((renderDocs as (t: string) => string)(text)).toBe(text);
  });

  it('each command’s --help shows the global options it accepts and two examples', () => {
    expect(names).toEqual(expect.arrayContaining(['status', 'plan', 'apply', 'rollback', 'recover', 'list']));
    const globals = [...help(['--help']).matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)]
      .map((m) => m[1])
      .filter((o) => o !== '--help');
    expect(globals).toEqual(expect.arrayContaining(['--accounts', '--home', '--json', '--yes']));
    for (const name of names) {
      const text = help([name, '--help']);
      const globalSection = text.slice(text.indexOf('\nGlobal Options:\n'));
      expect(text, name).toContain('\nGlobal Options:\n');
      for (const option of globals) expect(globalSection, `${name} ${option}`).toContain(option);
      const examples = text.slice(text.indexOf('\nExamples:\n'));
      expect(text, name).toContain('\nExamples:\n');
      const lines = examples.split('\n').filter((l) => l.startsWith(`  $ claude-shared-sessions ${name}`));
      expect(lines.length, name).toBeGreaterThanOrEqual(2);
    }
  });

  it('the README’s command section names every command and every global option, and no other', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('## The command'),
      readme.indexOf('\n## ', readme.indexOf('## The command') + 3),
    );
    for (const name of names) expect(section, name).toMatch(new RegExp(`claude-shared-sessions ${name}\\b`));
    const top = help(['--help']);
    const options = [...top.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1] as string);
    const mentioned = [...section.matchAll(/`(--[a-z-]+)/g)].map((m) => m[1] as string);
    for (const option of options.filter((o) => !['--help', '--version'].includes(o))) {
      expect(mentioned, option).toContain(option);
    }
    // Every option the README names exists: a global one, or one of a command.
    const all = new Set([
      ...options,
      ...names.flatMap((n) => [...help([n, '--help']).matchAll(/(--[a-z-]+)/g)].map((m) => m[1])),
    ]);
    for (const option of mentioned) expect(all, option).toContain(option);
  });
});
