/**
 * The catalogue and docs/safety.md stay in step: every case in test/hostile has a row in
 * the document, every row has a case, ids are unique, and there are at least 30 cases.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dir = join(root, 'test', 'hostile');

function caseIds(): string[] {
  const ids: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.test.ts'))) {
    const text = readFileSync(join(dir, name), 'utf8');
    for (const m of text.matchAll(/\bit\('([HP]\d+) /g)) ids.push(m[1] as string);
  }
  return ids;
}

function documentedIds(): string[] {
  const text = readFileSync(join(root, 'docs', 'safety.md'), 'utf8');
  return [...text.matchAll(/^\| ([HP]\d+) \|/gm)].map((m) => m[1] as string);
}

describe('the hostile catalogue', () => {
  it('has at least 30 distinct cases, each documented in docs/safety.md, and nothing documented that is not tested', () => {
    const ids = caseIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.startsWith('H')).length).toBeGreaterThanOrEqual(30);
    const documented = documentedIds();
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...ids].sort());
  });
});
