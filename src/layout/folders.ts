import { ErrorCodes, SharedSessionsError } from '../errors.js';
import { NEVER_SHARED } from './names.js';

/** Per-account folders and files a plan refuses to share, whatever the caller asks. */
export const FORBIDDEN_FOLDERS: readonly string[] = Object.freeze([...NEVER_SHARED, 'credentials', '.credentials']);

/**
 * Normalises the `folders` option: `projects` first, no duplicates. Throws
 * `EFORBIDDEN_FOLDER` for per-account folders (`sessions`, credentials, `.claude.json`,
 * `settings.json`, `ide`, `statsig`, `plugins`, ...) and `EINVALID_OPTION` for anything
 * that is not a plain folder name.
 *
 * @example
 * resolveFolders(['memory']) // ['projects', 'memory']
 */
export function resolveFolders(folders: readonly string[] | undefined): string[] {
  const result = ['projects'];
  for (const folder of folders ?? []) {
    if (typeof folder !== 'string' || folder === '' || folder === '.' || folder === '..' || /[/\\\0]/.test(folder)) {
      throw new SharedSessionsError(
        ErrorCodes.INVALID_OPTION,
        `Folder ${JSON.stringify(folder)} is not a plain folder name of the config dir. Name top-level folders only, e.g. "memory" or "file-history".`,
      );
    }
    if (FORBIDDEN_FOLDERS.includes(folder) || /\.credentials/i.test(folder)) {
      throw new SharedSessionsError(
        ErrorCodes.FORBIDDEN_FOLDER,
        `"${folder}" is per-account (credentials, settings or the registry of running processes) and is never shared. Remove it from the folders you share.`,
      );
    }
    if (!result.includes(folder)) result.push(folder);
  }
  return result;
}
