/**
 * Every code this package shows a user or a script, in one place: the codes of thrown
 * errors, of problems found while reading accounts and listing sessions, of plan
 * validation issues, plan warnings, plan conflicts and the command's doctor findings.
 * Each vocabulary is an `as const` array (its union type comes from it) and each code
 * has a one-line advice: what the user does about it. Adding a code means adding it
 * here; the compiler then refuses a code that is not listed, and a test checks that
 * every code has its advice.
 */

/** Codes of {@link SharedSessionsError}: scripts may switch on these; they never change meaning. */
export const ERROR_CODES = [
  'ENOTFOUND_ACCOUNT',
  'ENOTDIR_ACCOUNT',
  'EPERMISSION',
  'EINVALID_OPTION',
  'EFORBIDDEN_FOLDER',
  'EINVALID_PLAN',
  'EPLAN_VERSION',
  'ESTALE_PLAN',
  'ELOCKED',
  'ECOMPROMISED',
  'EDIRTY_JOURNAL',
  'ECLAUDE_RUNNING',
  'ECONFLICT',
  'EVERIFY',
  'EOUTSIDE_ROOTS',
  'EABORTED',
  'EUNSAFE_SHARED',
  'ENOSPACE',
  'ECLOCK',
  'ESYNC_LAYOUT',
  'ELINK_UNSUPPORTED',
  'ENOTFOUND_SESSION',
  'EIO_UNEXPECTED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes of the errors the command itself raises (`CliError`). */
export const CLI_ERROR_CODES = [
  'ENEEDS_CONFIRMATION',
  'EDECLINED',
  'EUSAGE',
  'EPLAN_FILE',
  'ECLAUDE_NOT_STARTED',
] as const;
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];

/** Codes of a problem found while reading an account (`AccountProblem`): error codes plus the settings file's. */
export const SETTINGS_PROBLEM_CODES = ['ESETTINGS_NOT_A_FILE', 'ESETTINGS_MALFORMED', 'ESETTINGS_CLEANUP'] as const;
export type AccountProblemCode = ErrorCode | (typeof SETTINGS_PROBLEM_CODES)[number];

/** Codes of a file left out of the session listing (`ListProblem`). */
export const LIST_PROBLEM_CODES = ['EPERMISSION', 'EIO_UNEXPECTED', 'ENOT_A_FILE', 'ELINKED_ENTRY'] as const;
export type ListProblemCode = (typeof LIST_PROBLEM_CODES)[number];

/** Codes of a problem `validatePlan` finds (`PlanIssue`). */
export const PLAN_ISSUE_CODES = [
  'PLAN_VERSION',
  'PLAN_SHAPE',
  'OUTSIDE_ROOTS',
  'DUPLICATE_WRITE',
  'FORBIDDEN_PATH',
  'RELATIVE_PATH',
  'DUPLICATE_ID',
] as const;
export type PlanIssueCode = (typeof PLAN_ISSUE_CODES)[number];

/** Codes of a plan's warnings (`Warning`); a plan also passes its accounts' problems on as warnings. */
export const WARNING_CODES = [
  'account-missing',
  'alias-blocked',
  'alias-elsewhere',
  'alias-later',
  'alias-merge-blocked',
  'alias-merged',
  'carried-as-fork',
  'carry-differs',
  'carry-skipped',
  'claude-running',
  'cleanup-hazard',
  'forbidden-name',
  'fork-sidecar-in-the-way',
  'kept-aside',
  'no-backup',
  'retained-replaced',
  'sessions-index-skipped',
  'settings-malformed',
  'settings-not-rewritten',
  'settings-not-restored',
  'settings-symlink',
  'special-file',
  'stignore-replaced',
  'symlink-not-followed',
  'sync-busy',
  'sync-file-in-the-way',
  'type-clash',
  'unreached-sessions',
  'unreached-unknown',
  'unreadable',
  'unreadable-name',
  'unsafe-shared',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number] | AccountProblemCode;

/** Codes of a plan's conflicts (`Conflict`): a session that could not simply be merged. */
export const CONFLICT_CODES = [
  'diverged',
  'link-elsewhere',
  'not-a-directory',
  'dangling-link',
  'unmerged',
  'unreadable',
] as const;
export type ConflictCode = (typeof CONFLICT_CODES)[number];

/** Codes of the findings of the command's `doctor` (and `status`); it passes account problems on too. */
export const FINDING_CODES = [
  'LINK_DANGLING',
  'LINK_ELSEWHERE',
  'FOLDER_UNREADABLE',
  'FOLDER_NOT_A_DIRECTORY',
  'NOT_SHARING',
  'CLAUDE_RUNNING',
  'BACKUPS_LEFT',
  'STALE_SESSIONS_INDEX',
  'CONFLICT_COPIES',
  'STALE_LOCK',
  'LOCK_HELD',
  'DIRTY_JOURNAL',
  'SESSIONS_ONLY_IN_SHARED',
  'SESSIONS_DELETED',
  'NOT_RETAINED',
  'CLEANUP_PERIOD',
  'CLEANUP_PERIOD_MANAGED',
  'CLEANUP_PERIOD_PROJECT',
  'SYNC_ROOT_IS_PROJECTS',
  'SYNC_IGNORE',
  'SYNC_CONFLICT_COPIES',
  'SYNC_BUSY',
  'SYNC_ALIAS_MISSING',
  'SYNC_MACHINE_RECORD',
  'SYNC_REMOTE_CLEANUP',
  'LINKED_PROJECT_FOLDER',
  'LINKED_TRANSCRIPT',
  'LINKED_ENTRY',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number] | AccountProblemCode;

/** Any code of this package. */
export type Code =
  | ErrorCode
  | CliErrorCode
  | AccountProblemCode
  | ListProblemCode
  | PlanIssueCode
  | WarningCode
  | ConflictCode
  | FindingCode;

/**
 * One line per code: what the user does about it. The messages say what happened and
 * where; the advice is the general remedy, for documentation and `--json` consumers.
 */
export const ADVICE: { readonly [C in Code]: string } = {
  // Errors
  ENOTFOUND_ACCOUNT: 'Check the account path; `status` without --accounts lists the accounts found.',
  ENOTDIR_ACCOUNT: 'Move the file that stands where a folder is needed out of the way.',
  EPERMISSION: 'Check the owner and mode (ls -ld), or run as the user who owns the files.',
  EINVALID_OPTION: 'Correct the option as the message says.',
  EFORBIDDEN_FOLDER: 'Share only the folders listed as shareable; credentials and sessions/ never are.',
  EINVALID_PLAN: 'Make the plan again; do not edit a saved plan by hand.',
  EPLAN_VERSION: 'Make the plan again with this version.',
  ESTALE_PLAN: 'Quit Claude Code, make the plan again and apply the new one.',
  ELOCKED: 'Wait for the other apply to finish, or run recover if it died.',
  ECOMPROMISED: 'Run recover, then make the plan again.',
  EDIRTY_JOURNAL: 'Run recover first: an interrupted apply left its journal.',
  ECLAUDE_RUNNING: 'Quit Claude Code in the accounts named, then try again.',
  ECONFLICT: 'Review the diverged sessions, or plan without refusing on conflicts.',
  EVERIFY: 'Nothing was lost (the apply was undone); check the disk and try again.',
  EOUTSIDE_ROOTS: 'Remove the link that leads out of the accounts, then make the plan again.',
  EABORTED: 'Nothing to do: the apply was stopped and undone.',
  EUNSAFE_SHARED: 'Make the shared folder yours and not writable by others (chmod go-w).',
  ENOSPACE: 'Free some space, then try again.',
  ECLOCK: 'Set the clock right, then try again.',
  ESYNC_LAYOUT: 'Make the sync engine share the parent of projects/, not projects/ itself.',
  ELINK_UNSUPPORTED: 'Keep the shared folder and its .retained/ on one filesystem with hard links.',
  ENOTFOUND_SESSION: 'Check the session id; `list` shows the sessions of every account.',
  EIO_UNEXPECTED: 'Read the cause; check the disk, then try again.',
  // The command's errors
  ENEEDS_CONFIRMATION: 'Run on a terminal to answer the prompt, or pass --yes.',
  EDECLINED: 'Nothing was changed.',
  EUSAGE: 'See --help for the command line.',
  EPLAN_FILE: 'Name a plan file written by `plan --out`.',
  ECLAUDE_NOT_STARTED: 'Install Claude Code, put it on PATH, or set CLAUDE_BIN.',
  // Account problems
  ESETTINGS_NOT_A_FILE: 'Make settings.json a regular file.',
  ESETTINGS_MALFORMED: 'Fix the JSON of settings.json.',
  ESETTINGS_CLEANUP: 'Raise cleanupPeriodDays, or let share set it.',
  // Listing problems
  ENOT_A_FILE: 'Move the entry named like a transcript that is not a file out of projects/.',
  ELINKED_ENTRY: 'Replace the linked transcript or project folder by the real one: Claude Code does not list links.',
  // Plan issues
  PLAN_VERSION: 'Make the plan again with this version.',
  PLAN_SHAPE: 'Make the plan again; it is not a plan of this library.',
  OUTSIDE_ROOTS: 'Make the plan again; it names a path outside its accounts.',
  DUPLICATE_WRITE: 'Make the plan again; two operations write one path.',
  FORBIDDEN_PATH: 'Make the plan again; it touches a folder that is never shared.',
  RELATIVE_PATH: 'Make the plan again; its paths must be absolute.',
  DUPLICATE_ID: 'Make the plan again; two operations share an id.',
  // Plan warnings
  'account-missing': 'Check the account list.',
  'alias-blocked': 'Move the entry in the way of the alias.',
  'alias-elsewhere': 'Nothing to do: the alias points elsewhere and is left alone.',
  'alias-later': 'Nothing to do now: the alias is made when its folder exists.',
  'alias-merge-blocked': 'Move the entry in the way, then sync again.',
  'alias-merged': 'Nothing to do: the alias folder was merged.',
  'carried-as-fork': 'Nothing to do: the session comes back under a new id.',
  'carry-differs': 'Review the two copies; both are kept.',
  'carry-skipped': 'Carry it by hand if you want it in the account.',
  'claude-running': 'Quit Claude Code before applying.',
  'cleanup-hazard': "Raise cleanupPeriodDays: Claude Code's cleanup deletes old sessions.",
  'forbidden-name': 'Nothing to do: that folder is never shared.',
  'fork-sidecar-in-the-way': 'Move the folder in the way of the fork.',
  'kept-aside': 'Review the copy kept in the conflicts folder.',
  'no-backup': 'Nothing to restore for that account.',
  'retained-replaced': 'Nothing to do: the retained link keeps the older version.',
  'sessions-index-skipped': 'Nothing to do: Claude Code rebuilds sessions-index.json.',
  'settings-malformed': 'Fix the JSON of settings.json.',
  'settings-not-rewritten': 'Set cleanupPeriodDays by hand.',
  'settings-not-restored': 'Set cleanupPeriodDays in settings.json by hand to the value it had before sharing.',
  'settings-symlink': 'Set cleanupPeriodDays in the file the link points to.',
  'special-file': 'Move the special file out of the folder.',
  'stignore-replaced': 'Nothing to do: the old .stignore is kept aside.',
  'symlink-not-followed': 'Nothing to do: links inside a shared folder are copied as links.',
  'sync-busy': 'Wait until the sync engine is idle.',
  'sync-file-in-the-way': 'Move the entry in the way.',
  'type-clash': 'Move one of the two entries; they are a file and a folder of one name.',
  'unreached-sessions': 'Carry the sessions back, or keep the shared folder.',
  'unreached-unknown': 'Check which account wrote the sessions.',
  unreadable: 'Check the owner and mode of the path.',
  'unreadable-name': 'Rename the entry to valid UTF-8.',
  'unsafe-shared': 'Make the shared folder yours and not writable by others.',
  // Conflicts
  diverged: 'Review both copies: one is kept at its place, the other kept aside or forked.',
  'link-elsewhere': 'Remove or move the link that points elsewhere.',
  'not-a-directory': 'Move the file that stands where a folder is needed.',
  'dangling-link': 'Remove the dangling link.',
  unmerged: 'Merge the session by hand from the folder named.',
  // Doctor findings
  LINK_DANGLING: 'Run doctor --fix, or share again.',
  LINKED_PROJECT_FOLDER:
    'Only the picker opened in that project lists it; replace the link with the real folder to see it in every view.',
  LINKED_TRANSCRIPT: 'No view lists a linked transcript: replace the link with the file it points to.',
  LINKED_ENTRY: 'Nothing to do unless you need it kept: the retained links do not keep linked entries.',
  LINK_ELSEWHERE: 'Check where the link points; share again to point it at the shared folder.',
  FOLDER_UNREADABLE: 'Check the owner and mode of the folder.',
  FOLDER_NOT_A_DIRECTORY: 'Move the file that stands where the folder is needed.',
  NOT_SHARING: 'Run share for the account, or leave it out.',
  CLAUDE_RUNNING: 'Quit Claude Code before changing the accounts.',
  BACKUPS_LEFT: 'Remove the backups once you trust the shared folder.',
  STALE_SESSIONS_INDEX: 'Nothing to do: Claude Code rebuilds it.',
  CONFLICT_COPIES: 'Review the copies kept in the conflicts folder.',
  STALE_LOCK: 'Run recover.',
  LOCK_HELD: 'Wait for the apply that holds the lock.',
  DIRTY_JOURNAL: 'Run recover.',
  SESSIONS_ONLY_IN_SHARED: 'Carry the sessions back into an account, or keep the old shared folder.',
  SESSIONS_DELETED: 'Run doctor --fix to bring them back from .retained/.',
  NOT_RETAINED: 'Run retain.',
  CLEANUP_PERIOD: 'Raise cleanupPeriodDays in the account settings.',
  CLEANUP_PERIOD_MANAGED: 'Ask the administrator to raise cleanupPeriodDays in the managed settings.',
  CLEANUP_PERIOD_PROJECT: "Raise cleanupPeriodDays in the project's settings.",
  SYNC_ROOT_IS_PROJECTS: 'Make the sync engine share the parent of projects/.',
  SYNC_IGNORE: 'Run sync to write the ignore file.',
  SYNC_CONFLICT_COPIES: 'Run sync to fold the conflict copies.',
  SYNC_BUSY: 'Wait until the sync engine is idle.',
  SYNC_ALIAS_MISSING: 'Run sync to make the alias.',
  SYNC_MACHINE_RECORD: 'Run sync on that machine.',
  SYNC_REMOTE_CLEANUP: 'Raise cleanupPeriodDays on the other machine.',
};

/** The one-line advice of a code, or undefined for a code this package does not define. */
export function adviceFor(code: string): string | undefined {
  return Object.hasOwn(ADVICE, code) ? ADVICE[code as Code] : undefined;
}
