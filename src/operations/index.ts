/** The operation layer: the types, the table, and what the executor uses of each row. */
export * from './base.js';
export type { CopyFileOperation } from './copy-file.js';
export type { ForkSessionOperation } from './fork-session.js';
export type { HardLinkOperation } from './hard-link.js';
export type { MkdirOperation } from './mkdir.js';
export { heldPathOf, type RemoveFileOperation } from './remove-file.js';
export type { RenameOperation } from './rename.js';
export type { SymlinkOperation } from './symlink.js';
export * from './table.js';
export type { UnlinkSymlinkOperation } from './unlink-symlink.js';
export type { WriteFileOperation } from './write-file.js';
