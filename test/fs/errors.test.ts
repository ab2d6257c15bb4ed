import { describe, expect, it } from 'vitest';
import { ErrorCodes, errnoCode, isSharedSessionsError, SharedSessionsError, wrapIoError } from '../../src/errors.js';
import { errnoError } from './support.js';

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

  it('has distinct codes', () => {
    const codes = Object.values(ErrorCodes);
    expect(new Set(codes).size).toBe(codes.length);
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
    ['ENOENT', ErrorCodes.NOT_FOUND, /does not exist/],
    ['ENOTDIR', ErrorCodes.NOT_A_DIRECTORY, /is not a folder/],
    ['EACCES', ErrorCodes.PERMISSION, /permission denied.*ls -ld/],
    ['EPERM', ErrorCodes.PERMISSION, /permission denied/],
    ['ENOSPC', ErrorCodes.NO_SPACE, /disk is full.*Free some space/],
    ['EDQUOT', ErrorCodes.NO_SPACE, /quota/],
    ['EROFS', ErrorCodes.PERMISSION, /read-only file system/],
    ['EEXIST', ErrorCodes.STALE_PLAN, /appeared while the plan was applied.*make the plan again/],
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

  it('passes a SharedSessionsError through and copes with non-errors', () => {
    const own = new SharedSessionsError(ErrorCodes.STALE_PLAN, 'stale');
    expect(wrapIoError(own, 'x', '/p')).toBe(own);
    const odd = wrapIoError('a string', 'Doing', '/p');
    expect(odd.code).toBe(ErrorCodes.IO);
    expect(odd.message).toContain('a string');
  });
});
