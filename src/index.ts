/**
 * claude-shared-sessions: let several Claude Code accounts on one machine share one
 * sessions folder. Inspect -> plan (pure) -> apply (journaled, undoable).
 *
 * @packageDocumentation
 */

export { type DiscoverOptions, defaultIsProcessAlive, discoverAccounts } from './accounts/discover.js';
export type {
  Account,
  AccountProblem,
  AccountSource,
  BackupInfo,
  FolderState,
  FolderStateKind,
} from './accounts/types.js';
export {
  type ErrorCode,
  ErrorCodes,
  isSharedSessionsError,
  SharedSessionsError,
  type SharedSessionsErrorOptions,
} from './errors.js';
export { createMemFileSystem, type MemfsLike } from './fs/memfs.js';
export { createNodeFileSystem, defaultFileSystem } from './fs/node.js';
export { readRange } from './fs/read.js';
export type {
  CopyFileOptions,
  CopyFileResult,
  DirEntry,
  EntryType,
  FileHandle,
  FileStat,
  FileSystem,
  OpenFlags,
  SymlinkType,
} from './fs/types.js';
export {
  absolutePath,
  claudeJsonPath,
  defaultSharedDir,
  type Env,
  expandHome,
  resolveConfigDir,
} from './layout/config-dir.js';
export {
  backupName,
  backupTimestamp,
  classifyProjectEntry,
  compareBackupsNewestFirst,
  encodeProjectDir,
  isLegacyAgentFile,
  isSessionId,
  MAX_PROJECT_DIR_LENGTH,
  NEVER_SHARED,
  type ProjectEntryKind,
  parseBackupName,
  projectDirMatches,
  SHAREABLE_FOLDERS,
  sessionIdOfFile,
} from './layout/names.js';
export { VERSION } from './version.js';
