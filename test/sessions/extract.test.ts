import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastLineField, Text } from '../../src/sessions/extract.js';

/**
 * The rule for an untyped line field, stated independently of the byte scanning: the
 * last line holding the literal `"key":` that parses as JSON with a string `key` at its
 * top level.
 */
function reference(lines: string[], key: string): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    if (!line.includes(`"${key}":`)) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[key] === 'string') {
        return (v as Record<string, string>)[key];
      }
    } catch {}
  }
  return undefined;
}

const key = fc.constantFrom('summary', 'lastPrompt');
const text = fc.constantFrom('x', 'a "quoted" word', 'back\\slash', '{"summary":"nested"}', 'ü é', '');
/** A JSON value that may nest either key at any depth, as request shapes and attachments do. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('summary', 'lastPrompt', 'type', 'content', 'a'), tie('v'), { maxKeys: 3 }),
  ),
})).v;

/** One line: a JSON object, then maybe re-spelled (escaped or spaced key) or cut short. */
const line = fc
  .tuple(
    fc.dictionary(fc.constantFrom('summary', 'lastPrompt', 'type', 'message', 'b'), value, { maxKeys: 4 }),
    fc.constantFrom('plain', 'escaped', 'spaced', 'cut', 'array', 'glued'),
    fc.nat(),
  )
  .map(([object, form, n]) => {
    const json = JSON.stringify(object);
    switch (form) {
      case 'escaped':
        return json.replace('"summary":', '"summ\\u0061ry":').replace('"lastPrompt":', '"last\\u0050rompt":');
      case 'spaced':
        return json.replace('"summary":', '"summary" :');
      case 'cut':
        return json.slice(0, n % (json.length + 1));
      case 'array':
        return `[${json}]`;
      case 'glued':
        return `${json.slice(0, n % (json.length + 1))}${json}`;
      default:
        return json;
    }
  });

describe('untyped line fields (summary, lastPrompt)', () => {
  it('are the last line with the key at its top level, whatever the key nests in', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), key, (lines, k) => {
        const buf = Buffer.from(lines.join('\n'));
        expect(lastLineField(new Text(buf), k)).toBe(reference(lines, k));
      }),
      { numRuns: 3000 },
    );
  });

  it('skip a long line that only nests the key, and find the short line before it', () => {
    const long = JSON.stringify({ type: 'attachment', content: [{ summary: 'nested', pad: 'p'.repeat(40_000) }] });
    const lines = [JSON.stringify({ type: 'summary', summary: 'top' }), long];
    expect(lastLineField(new Text(Buffer.from(lines.join('\n'))), 'summary')).toBe('top');
  });
});
