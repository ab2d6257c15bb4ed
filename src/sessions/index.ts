export { iterateSessions, listSessions } from './list.js';
export {
  type FindSessionOptions,
  type FoundSession,
  findSession,
  type ResumeCommand,
  type ResumeCommandOptions,
  resumeCommand,
} from './resume.js';
export type {
  CopyRelation,
  IterateSessionsOptions,
  ListProblem,
  ListSessionsOptions,
  ListSessionsResult,
  SdkSessionInfo,
  SessionCopy,
  SessionInfo,
  SessionSource,
} from './types.js';
export { SDK_SESSION_FIELDS } from './types.js';
