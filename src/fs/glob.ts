import type { FileSystem } from './types.js';

/**
 * A glob pattern for one name, as a regular expression: `*` (any run of characters, a
 * leading dot included), `?` (one character), `[abc]`, `[a-z]`, `[!a-z]` / `[^a-z]`,
 * `{a,b}` (nested too), and `\` to escape. `**` is `*`: a name has no `/`, so a pattern
 * with one never matches.
 */
export function globToRegExp(pattern: string): RegExp {
  let i = 0;
  const chars = [...pattern];
  const literal = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  const escapeInClass = (c: string) => c.replace(/[\\^\]\-[]/g, '\\$&');

  function sequence(inBraces: boolean): string {
    let out = '';
    while (i < chars.length) {
      const c = chars[i] as string;
      if (inBraces && (c === ',' || c === '}')) return out;
      i++;
      if (c === '\\') out += literal(chars[i++] ?? '\\');
      else if (c === '*') {
        while (chars[i] === '*') i++;
        out += '[^/]*';
      } else if (c === '?') out += '[^/]';
      else if (c === '[') out += bracket();
      else if (c === '{') out += braces();
      else out += literal(c);
    }
    return out;
  }

  /** `[...]`; an unclosed `[` is a literal. */
  function bracket(): string {
    const start = i;
    let negate = false;
    if (chars[i] === '!' || chars[i] === '^') {
      negate = true;
      i++;
    }
    let body = '';
    let first = true;
    while (i < chars.length && (chars[i] !== ']' || first)) {
      const c = chars[i++] as string;
      first = false;
      if (c === '\\' && i < chars.length) body += escapeInClass(chars[i++] as string);
      else if (c === '-' && body !== '' && chars[i] !== ']') body += '-';
      else body += escapeInClass(c);
    }
    if (i >= chars.length) {
      i = start;
      return '\\[';
    }
    i++; // the closing ]
    return negate ? `[^/${body}]` : `[${body}]`;
  }

  /** `{a,b,...}`; one without a comma or unclosed is a literal. */
  function braces(): string {
    const start = i;
    const alternatives: string[] = [];
    for (;;) {
      alternatives.push(sequence(true));
      if (i >= chars.length) break;
      if (chars[i++] === '}') {
        if (alternatives.length > 1) return `(?:${alternatives.join('|')})`;
        break;
      }
    }
    i = start;
    return '\\{';
  }

  return new RegExp(`^${sequence(false)}$`, 'u');
}

/**
 * Names of the entries directly in `cwd` (dot files included, of every type, links not
 * followed) that match a glob `pattern` (see {@link globToRegExp}), sorted; `[]` when the
 * folder is missing or unreadable. One folder is all discovery needs, so this is a
 * readdir and a regular expression rather than a glob package and its dependencies.
 */
export async function globNames(fs: FileSystem, cwd: string, pattern: string): Promise<string[]> {
  const re = globToRegExp(pattern);
  let names: string[];
  try {
    names = (await fs.readdir(cwd)).map((e) => e.name);
  } catch {
    return [];
  }
  return names.filter((n) => re.test(n)).sort();
}
