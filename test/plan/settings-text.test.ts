import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { setCleanupPeriodDays } from '../../src/plan/settings-text.js';

describe('setCleanupPeriodDays', () => {
  it('replaces the value in place, keeping everything else byte for byte', () => {
    const text = '{\n  "model": "opus",\n  "cleanupPeriodDays": 30,\n  "env": { "cleanupPeriodDays": 1 }\n}\n';
    expect(setCleanupPeriodDays(text, 3650)).toBe(
      '{\n  "model": "opus",\n  "cleanupPeriodDays": 3650,\n  "env": { "cleanupPeriodDays": 1 }\n}\n',
    );
  });

  it('inserts the key as the first member with the file’s own indentation', () => {
    expect(setCleanupPeriodDays('{\n\t"model": "opus"\n}', 90)).toBe(
      '{\n\t"cleanupPeriodDays": 90,\n\t"model": "opus"\n}',
    );
    expect(setCleanupPeriodDays('{\r\n    "a": [1, 2]\r\n}\r\n', 90)).toBe(
      '{\r\n    "cleanupPeriodDays": 90,\r\n    "a": [1, 2]\r\n}\r\n',
    );
  });

  it('keeps single-line files on one line', () => {
    expect(setCleanupPeriodDays('{"a":1}', 7)).toBe('{"cleanupPeriodDays":7,"a":1}');
    expect(setCleanupPeriodDays('{ "a": 1 }', 7)).toBe('{ "cleanupPeriodDays": 7, "a": 1 }');
  });

  it('fills an empty object', () => {
    expect(setCleanupPeriodDays('{}\n', 10)).toBe('{\n  "cleanupPeriodDays": 10\n}\n');
  });

  it('replaces a wrong-typed value and every duplicate', () => {
    expect(setCleanupPeriodDays('{"cleanupPeriodDays": "30", "x": 1, "cleanupPeriodDays": {"a": [1]}}', 5)).toBe(
      '{"cleanupPeriodDays": 5, "x": 1, "cleanupPeriodDays": 5}',
    );
  });

  it('keeps a BOM and strings that contain braces and quotes', () => {
    const text = '\uFEFF{\n  "statusLine": "say \\"}{\\" now",\n  "cleanupPeriodDays": 1\n}';
    expect(setCleanupPeriodDays(text, 2)).toBe(
      '\uFEFF{\n  "statusLine": "say \\"}{\\" now",\n  "cleanupPeriodDays": 2\n}',
    );
  });

  it('returns undefined for anything that is not a JSON object', () => {
    for (const text of ['', '[]', '42', '{ not json', 'null']) expect(setCleanupPeriodDays(text, 1)).toBeUndefined();
  });

  it('for any settings object, changes only cleanupPeriodDays', () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 6 }),
        fc.constantFrom(0, 2, '\t'),
        fc.integer({ min: 1, max: 100000 }),
        (obj, indent, days) => {
          const text = JSON.stringify(obj, null, indent);
          const out = setCleanupPeriodDays(text, days);
          expect(out).toBeDefined();
          const parsed = JSON.parse(out as string) as Record<string, unknown>;
          expect(parsed.cleanupPeriodDays).toBe(days);
          const { cleanupPeriodDays: _x, ...rest } = parsed;
          const { cleanupPeriodDays: _y, ...restBefore } = JSON.parse(text) as Record<string, unknown>;
          expect(rest).toEqual(restBefore);
        },
      ),
    );
  });
});
