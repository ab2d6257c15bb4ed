import { describe, expect, it } from 'vitest';
import { ApplyError, isApplyError, undoOutcomeOf } from '../../src/apply/errors.js';
import { CliError } from '../../src/cli/errors.js';
import {
  ADVICE,
  adviceFor,
  CLI_ERROR_CODES,
  CONFLICT_CODES,
  ERROR_CODES,
  FINDING_CODES,
  LIST_PROBLEM_CODES,
  PLAN_ISSUE_CODES,
  SETTINGS_PROBLEM_CODES,
  WARNING_CODES,
} from '../../src/codes.js';
import {
  DISK_CHANGED,
  ErrorCodes,
  errnoCode,
  isSharedSessionsError,
  SharedSessionsError,
  wrapIoError,
} from '../../src/errors.js';
import { errnoError } from '../support/faulty-fs.js';

describe('SharedSessionsError', () => {
  it('carries name, code, message, path, details and cause', () => {
    const cause = new Error('low level');
    const error = new SharedSessionsError(ErrorCodes.LOCKED, 'Another apply runs.', {
      path: '/x',
      cause,
      details: { pid: 1 },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SharedSessionsError');
    expect(error.code).toBe('ELOCKED');
    expect(error.message).toBe('Another apply runs.');
    expect(error.path).toBe('/x');
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ pid: 1 });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'SharedSessionsError',
      code: 'ELOCKED',
      message: 'Another apply runs.',
      path: '/x',
      details: { pid: 1 },
    });
  });

  it('leaves path and details out of its JSON when absent, and has no cause then', () => {
    const error = new SharedSessionsError(ErrorCodes.INVALID_OPTION, 'Bad option.');
    expect(error.toJSON()).toEqual({ name: 'SharedSessionsError', code: 'EINVALID_OPTION', message: 'Bad option.' });
    expect('cause' in error).toBe(false);
  });

  it('isSharedSessionsError narrows, optionally by code', () => {
    const error = new SharedSessionsError(ErrorCodes.CONFLICT, 'x');
    expect(isSharedSessionsError(error)).toBe(true);
    expect(isSharedSessionsError(error, ErrorCodes.CONFLICT)).toBe(true);
    expect(isSharedSessionsError(error, ErrorCodes.LOCKED)).toBe(false);
    expect(isSharedSessionsError(new Error('x'))).toBe(false);
    expect(isSharedSessionsError({ code: 'ECONFLICT' })).toBe(false);
  });

  it('has distinct codes, the same as the list in codes.ts', () => {
    const codes = Object.values(ErrorCodes);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual([...ERROR_CODES].sort());
  });

  it('is recognised by its brand, not its class: a copy made by another build passes the guard', () => {
    // What a second copy of the class (the CommonJS build beside the ESM one) looks like.
    const brand = Symbol.for('claude-shared-sessions.error');
    class Other extends Error {
      readonly code = 'ELOCKED';
    }
    Object.defineProperty(Other.prototype, brand, { value: true });
    const foreign = new Other('held');
    expect(foreign).not.toBeInstanceOf(SharedSessionsError);
    expect(isSharedSessionsError(foreign)).toBe(true);
    expect(isSharedSessionsError(foreign, ErrorCodes.LOCKED)).toBe(true);
    // A code the library does not define is not the library's error.
    const odd = Object.assign(new Other('x'), { code: 'ENOPE' });
    expect(isSharedSessionsError(odd)).toBe(false);
  });

  it("the command's CliError shares the base class but not the library's guard", () => {
    const error = new CliError('EUSAGE', 'Bad command line.');
    expect(error).toBeInstanceOf(SharedSessionsError);
    expect(error.name).toBe('CliError');
    expect(error.toJSON()).toEqual({ name: 'CliError', code: 'EUSAGE', message: 'Bad command line.' });
    expect(isSharedSessionsError(error)).toBe(false);
  });
});

describe('ApplyError', () => {
  const undo = { complete: true, undone: 2, kept: [], errors: [] };

  it('keeps the original code, message, path, details, cause and stack, and adds a typed undo', () => {
    const cause = errnoError('EIO', 'write', '/x');
    const original = new SharedSessionsError(ErrorCodes.IO, 'broke', { path: '/x', cause, details: { n: 1 } });
    const error = ApplyError.from(original, undo);
    expect(error).toBeInstanceOf(SharedSessionsError);
    expect(error.name).toBe('ApplyError');
    expect({ code: error.code, message: error.message, path: error.path, details: error.details }).toEqual({
      code: 'EIO_UNEXPECTED',
      message: 'broke',
      path: '/x',
      details: { n: 1 },
    });
    expect(error.cause).toBe(cause);
    expect(error.stack).toContain('broke');
    expect(error.undo).toBe(undo);
    expect(isApplyError(error)).toBe(true);
    expect(isSharedSessionsError(error, ErrorCodes.IO)).toBe(true);
    expect(undoOutcomeOf(error)).toBe(undo);
  });

  it('undoOutcomeOf reads only an ApplyError, not any object with an undo field', () => {
    expect(undoOutcomeOf(new SharedSessionsError(ErrorCodes.IO, 'x'))).toBeUndefined();
    expect(undoOutcomeOf(Object.assign(new Error('x'), { undo }))).toBeUndefined();
    expect(undoOutcomeOf({ undo })).toBeUndefined();
    expect(isApplyError(undefined)).toBe(false);
  });
});

describe('the codes', () => {
  const lists = {
    ERROR_CODES,
    CLI_ERROR_CODES,
    SETTINGS_PROBLEM_CODES,
    LIST_PROBLEM_CODES,
    PLAN_ISSUE_CODES,
    WARNING_CODES,
    CONFLICT_CODES,
    FINDING_CODES,
  };

  it.each(Object.entries(lists))('%s: distinct, each with a one-line advice', (_, list) => {
    expect(new Set(list).size).toBe(list.length);
    for (const code of list) {
      const advice = adviceFor(code);
      expect(advice, code).toMatch(/^\S.*\.$/);
      expect(advice, code).not.toContain('\n');
    }
  });

  it('has advice for listed codes only', () => {
    const listed = new Set<string>(Object.values(lists).flat());
    expect(Object.keys(ADVICE).filter((code) => !listed.has(code))).toEqual([]);
    expect(adviceFor('ENOTHING')).toBeUndefined();
    expect(adviceFor('toString')).toBeUndefined();
  });
});

describe('errnoCode', () => {
  it('reads a string code and nothing else', () => {
    expect(errnoCode(errnoError('ENOENT', 'lstat', '/x'))).toBe('ENOENT');
    expect(errnoCode({ code: 42 })).toBeUndefined();
    expect(errnoCode(new Error('plain'))).toBeUndefined();
    expect(errnoCode(null)).toBeUndefined();
    expect(errnoCode('ENOENT')).toBeUndefined();
  });
});

describe('wrapIoError', () => {
  it.each([
    ['ENOENT', ErrorCodes.IO, /ENOENT: .* does not exist/],
    ['ENOTDIR', ErrorCodes.NOT_A_DIRECTORY, /is not a folder/],
    ['EACCES', ErrorCodes.PERMISSION, /permission denied.*ls -ld/],
    ['EPERM', ErrorCodes.PERMISSION, /permission denied/],
    ['ENOSPC', ErrorCodes.NO_SPACE, /disk is full.*Free some space/],
    ['EDQUOT', ErrorCodes.NO_SPACE, /quota/],
    ['EROFS', ErrorCodes.PERMISSION, /read-only file system/],
    ['EEXIST', ErrorCodes.IO, /EEXIST: .* already exists/],
    ['ELOOP', ErrorCodes.OUTSIDE_ROOTS, /link loop/],
    ['EIO', ErrorCodes.IO, /EIO/],
  ])('maps %s to %s with a message that names the path', (errno, code, message) => {
    const cause = errnoError(errno, 'open', '/home/u/.claude/projects');
    const error = wrapIoError(cause, 'Reading the sessions', '/home/u/.claude/projects');
    expect(error).toBeInstanceOf(SharedSessionsError);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('/home/u/.claude/projects');
    expect(error.message.startsWith('Reading the sessions')).toBe(true);
    expect(error.path).toBe('/home/u/.claude/projects');
    expect(error.cause).toBe(cause);
  });

  it.each([
    ['ENOENT', /vanished while the plan was applied.*make the plan again/],
    ['EEXIST', /appeared while the plan was applied.*make the plan again/],
  ])('maps %s to ESTALE_PLAN where the caller says the disk changed (the executor)', (errno, message) => {
    const cause = errnoError(errno, 'rename', '/s/p');
    const error = wrapIoError(cause, 'Applying op-3', '/s/p', DISK_CHANGED);
    expect(error.code).toBe(ErrorCodes.STALE_PLAN);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith('Applying op-3: /s/p')).toBe(true);
    expect(error.cause).toBe(cause);
    // A meaning for one errno leaves the others to their own code.
    expect(wrapIoError(errnoError('EACCES', 'open', '/s/p'), 'x', '/s/p', DISK_CHANGED).code).toBe(
      ErrorCodes.PERMISSION,
    );
  });

  it('passes a SharedSessionsError through and copes with non-errors', () => {
    const own = new SharedSessionsError(ErrorCodes.STALE_PLAN, 'stale');
    expect(wrapIoError(own, 'x', '/p')).toBe(own);
    const odd = wrapIoError('a string', 'Doing', '/p');
    expect(odd.code).toBe(ErrorCodes.IO);
    expect(odd.message).toContain('a string');
  });
});
