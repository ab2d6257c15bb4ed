import { basename, dirname, isAbsolute } from 'node:path';
import { isCredentialFile, NEVER_SHARED } from '../layout/names.js';
import { isNormalAbsolute, type PathRules, pathRulesOf } from '../layout/paths.js';
import type { ExpectedState, NamedPath, PlanScope, ShapeChecks } from '../operations/base.js';
import { isOperationType, namedPaths, OPERATIONS, specOf } from '../operations/table.js';
import { OPERATION_REASONS, type Operation, PLAN_KINDS, PLAN_VERSION, type Plan, type PlanIssue } from './types.js';

const PLAN_KINDS_SET = new Set<string>(PLAN_KINDS);
const REASONS = new Set<string>(OPERATION_REASONS);
const NEVER_SHARED_SET = new Set<string>(NEVER_SHARED);

/**
 * Checks a plan without touching the disk and returns every problem found (an empty
 * array means valid): the version and shape; every path absolute, normal (no `.`/`..`
 * segments, which can escape a root through a symlink) and inside `plan.roots`; a
 * symlink's target inside the roots too; no two operations creating one path (a path may
 * be created again only after an earlier operation removed it); no operation on
 * credentials, `.claude.json`, or any per-account file or folder (`settings.json`,
 * `sessions/`, `ide/`, ...) except the `writeFile` of an account's `settings.json` with
 * reason `cleanup-period`; unique operation ids. Paths compare by the plan's
 * `caseInsensitive` (this host's rule for a plan saved without it).
 *
 * The executor refuses a plan with any issue before its first write.
 *
 * @example
 * ```ts
 * const issues = validatePlan(JSON.parse(await readFile('plan.json', 'utf8')));
 * if (issues.length > 0) throw new Error(issues.map((i) => `${i.code}: ${i.message}`).join('\n'));
 * ```
 */
export function validatePlan(plan: Plan): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const p = plan as unknown;
  if (!isRecord(p)) return [{ code: 'PLAN_SHAPE', message: 'Not a plan: expected an object.' }];
  if (p.version !== PLAN_VERSION) {
    return [
      {
        code: 'PLAN_VERSION',
        message: `Plan version ${JSON.stringify(p.version)} is not supported (this library reads version ${PLAN_VERSION}). Make the plan again with this version.`,
      },
    ];
  }
  const shapeProblems = checkPlanShape(p);
  if (shapeProblems.length > 0) return shapeProblems;
  const rules = pathRulesOf(plan);

  const roots: string[] = [];
  for (const root of plan.roots) {
    if (!isNormalAbsolute(root)) {
      issues.push({
        code: isAbsolute(root) ? 'OUTSIDE_ROOTS' : 'RELATIVE_PATH',
        message: `Root ${JSON.stringify(root)} is not an absolute path in normal form.`,
        path: root,
      });
    } else roots.push(root);
  }
  const accounts = plan.accounts.filter((a) => isNormalAbsolute(a));
  issues.push(...underivedRoots(plan, roots, rules));
  const scope = scopeOf(plan, accounts, rules);
  const planScope: PlanScope = {
    sharedDirs: plan.sharedDirs,
    rules,
    defaultRule: (named: NamedPath) =>
      named.role === 'link-target' ? scope.badTarget(named.path) : scope.badPath(named.path),
  };

  const seenIds = new Set<string>();
  /** Paths currently created by an earlier operation (and not removed since). */
  const created = new Map<string, string>();
  /** Paths removed by an earlier operation (and not created again since). */
  const removed = new Map<string, string>();

  for (const [index, op] of plan.operations.entries()) {
    const opShape = checkOperationShape(op, index);
    if (opShape.length > 0) {
      issues.push(...opShape);
      continue;
    }
    const duplicate = seenIds.has(op.id);
    if (duplicate) {
      issues.push({
        code: 'DUPLICATE_ID',
        message: `Operation id ${op.id} is used more than once.`,
        operationId: op.id,
      });
    }
    seenIds.add(op.id);

    const paths = namedPaths(op);
    const own = checkPaths(op, paths, { roots, accounts, planRoots: plan.roots, rules });
    issues.push(...own);
    // Judged only when the operation is otherwise clean, so each problem is reported once.
    if (own.length === 0 && !duplicate) issues.push(...checkScope(op, paths, planScope));
    issues.push(...trackWrites(op, paths, created, removed, rules));
  }
  return issues;
}

/** Each path absolute, normal, inside the roots, and not a credential or per-account file. */
function checkPaths(
  op: Operation,
  paths: readonly NamedPath[],
  where: { roots: readonly string[]; accounts: readonly string[]; planRoots: readonly string[]; rules: PathRules },
): PlanIssue[] {
  const { roots, accounts, planRoots, rules } = where;
  const issues: PlanIssue[] = [];
  for (const { path, field } of paths) {
    if (!isAbsolute(path)) {
      issues.push({
        code: 'RELATIVE_PATH',
        message: `${op.id} (${op.type}) ${field} is not absolute: ${path}`,
        operationId: op.id,
        path,
      });
      continue;
    }
    if (!isNormalAbsolute(path)) {
      issues.push({
        code: 'OUTSIDE_ROOTS',
        message: `${op.id} (${op.type}) ${field} is not in normal form (a "." or ".." segment can lead out of a root through a symlink): ${path}`,
        operationId: op.id,
        path,
      });
      continue;
    }
    if (!roots.some((r) => rules.isInside(r, path))) {
      issues.push({
        code: 'OUTSIDE_ROOTS',
        message: `${op.id} (${op.type}) ${field} ${path} is outside the plan's roots (${planRoots.join(', ')}).`,
        operationId: op.id,
        path,
      });
    }
    const forbidden = forbiddenReason(op, path, accounts, rules);
    if (forbidden) {
      issues.push({
        code: 'FORBIDDEN_PATH',
        message: `${op.id} (${op.type}) names ${path}: ${forbidden}`,
        operationId: op.id,
        path,
      });
    }
  }
  return issues;
}

/**
 * What a planner never names, even inside a root: a path of an account other than its
 * shared-able folders, their backups and settings.json, or a link to anything but a shared
 * folder (an operation type may have its own rule).
 */
function checkScope(op: Operation, paths: readonly NamedPath[], planScope: PlanScope): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const spec = specOf(op);
  for (const named of paths) {
    const why = spec.scope ? spec.scope(op, named, planScope) : planScope.defaultRule(named);
    if (why) {
      issues.push({
        code: 'OUTSIDE_ROOTS',
        message: `${op.id} (${op.type}) ${named.field} ${named.path} ${why}`,
        operationId: op.id,
        path: named.path,
      });
    }
  }
  return issues;
}

/**
 * The plan's operations in order, as what each creates and removes: no two create one
 * path (a path may be created again only after an earlier operation removed it), none
 * removes a path twice.
 */
function trackWrites(
  op: Operation,
  paths: readonly NamedPath[],
  created: Map<string, string>,
  removed: Map<string, string>,
  { pathKey }: PathRules,
): PlanIssue[] {
  const issues: PlanIssue[] = [];
  for (const { path, role } of paths) {
    const key = pathKey(path);
    if (role === 'create') {
      const earlier = created.get(key);
      if (earlier !== undefined) {
        issues.push({
          code: 'DUPLICATE_WRITE',
          message: `${op.id} (${op.type}) creates ${path}, which ${earlier} already creates.`,
          operationId: op.id,
          path,
        });
      }
      created.set(key, op.id);
      removed.delete(key);
    } else if (role === 'replace') {
      const earlier = created.get(key);
      if (earlier !== undefined) {
        issues.push({
          code: 'DUPLICATE_WRITE',
          message: `${op.id} (${op.type}) writes ${path}, which ${earlier} already writes.`,
          operationId: op.id,
          path,
        });
      }
      created.set(key, op.id);
    } else if (role === 'remove') {
      const earlier = removed.get(key);
      if (earlier !== undefined) {
        issues.push({
          code: 'DUPLICATE_WRITE',
          message: `${op.id} (${op.type}) removes ${path}, which ${earlier} already removed.`,
          operationId: op.id,
          path,
        });
      }
      removed.set(key, op.id);
      created.delete(key);
    }
  }
  return issues;
}

/**
 * Roots a planner would not have made: each root must be an account, the parent of a
 * shared folder, the conflicts folder, or a folder above one of those that the plan
 * itself creates (a `mkdir`). A root added by hand to a saved plan (`/`, `/etc`, ...)
 * would let its operations out.
 */
function underivedRoots(plan: Plan, roots: readonly string[], { isInside, pathKey }: PathRules): PlanIssue[] {
  const keys = (paths: readonly string[]) => new Set(paths.filter(isNormalAbsolute).map(pathKey));
  const direct = keys([...plan.accounts, ...Object.values(plan.sharedDirs).map((d) => dirname(d)), plan.conflictsDir]);
  const tops = [...Object.values(plan.sharedDirs).map((d) => dirname(d)), plan.conflictsDir].filter(isNormalAbsolute);
  const made = keys(
    plan.operations.flatMap((op) =>
      isRecord(op) && op.type === 'mkdir' && typeof op.path === 'string' ? [op.path] : [],
    ),
  );
  const issues: PlanIssue[] = [];
  for (const root of roots) {
    const key = pathKey(root);
    if (direct.has(key)) continue;
    if (made.has(key) && tops.some((t) => isInside(root, t))) continue;
    issues.push({
      code: 'OUTSIDE_ROOTS',
      message: `Root ${root} is none of the plan's accounts, shared folders' parents or conflicts folder, nor a folder the plan creates above them; a planner never makes such a root. Make the plan again rather than editing it.`,
      path: root,
    });
  }
  return issues;
}

/** Where a planner's operations may go, inside the roots. */
function scopeOf(plan: Plan, accounts: readonly string[], { isInside, pathKey, segmentsUnder }: PathRules) {
  const folders = Object.keys(plan.sharedDirs);
  const areas = [...Object.values(plan.sharedDirs), plan.conflictsDir].filter(isNormalAbsolute);
  const targets = new Set(Object.values(plan.sharedDirs).filter(isNormalAbsolute).map(pathKey));
  const badPath = (path: string): string | undefined => {
    if (areas.some((a) => isInside(a, path) || isInside(path, a))) return undefined;
    for (const account of accounts) {
      const first = segmentsUnder(account, path)?.[0];
      if (first === undefined) continue;
      if (folders.some((f) => first === f || first.startsWith(`${f}.bak.`))) return undefined;
      if (first === 'settings.json' || first.startsWith('settings.json.bak.')) return undefined;
      return `is in the account ${account} but not in one of its shared folders (${folders.join(', ')}), their backups or settings.json; a planner never names it.`;
    }
    // Beside the shared folders (under their parent, which the roots allow) is the
    // library's own ground.
    return undefined;
  };
  const badTarget = (path: string): string | undefined =>
    targets.has(pathKey(path))
      ? undefined
      : `is not one of the shared folders (${[...Object.values(plan.sharedDirs)].join(', ')}); a planner only links to those.`;
  return { badPath, badTarget };
}

function forbiddenReason(
  op: Operation,
  path: string,
  accounts: readonly string[],
  { segmentsUnder }: PathRules,
): string | undefined {
  const name = basename(path);
  if (isCredentialFile(name)) return `${name} holds credentials or account state and is never touched.`;
  for (const account of accounts) {
    const segments = segmentsUnder(account, path);
    const first = segments?.[0];
    if (first === undefined) continue;
    if (!NEVER_SHARED_SET.has(first)) continue;
    // settings.json: only its cleanup period is changed, by the operations that say so.
    if (first === 'settings.json' && segments?.length === 1 && specOf(op).touchesSettings?.(op, path) === true) {
      continue;
    }
    if (first === 'settings.json') {
      return 'settings.json may only be changed by a writeFile with reason "cleanup-period" (or moved to a settings.json.bak.* name by rollback).';
    }
    return `${first} is per-account (${account}) and never touched by a plan.`;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function checkPlanShape(p: Record<string, unknown>): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const bad = (what: string) => issues.push({ code: 'PLAN_SHAPE', message: `Plan ${what}.` });
  if (typeof p.kind !== 'string' || !PLAN_KINDS_SET.has(p.kind)) bad(`kind ${JSON.stringify(p.kind)} is unknown`);
  if (typeof p.id !== 'string' || p.id === '') bad('id must be a non-empty string');
  if (typeof p.createdAt !== 'string' || Number.isNaN(Date.parse(p.createdAt)))
    bad('createdAt must be an ISO 8601 date');
  if (!isStringArray(p.roots) || p.roots.length === 0) bad('roots must be a non-empty array of paths');
  if (!isStringArray(p.accounts)) bad('accounts must be an array of paths');
  if (!isRecord(p.sharedDirs) || !Object.values(p.sharedDirs).every((v) => typeof v === 'string' && v !== ''))
    bad('sharedDirs must map folder names to paths');
  if (typeof p.conflictsDir !== 'string') bad('conflictsDir must be a path');
  if (typeof p.fingerprint !== 'string') bad('fingerprint must be a string');
  if (p.caseInsensitive !== undefined && typeof p.caseInsensitive !== 'boolean')
    bad("caseInsensitive must be true or false (or absent: this host's rule)");
  if (!Array.isArray(p.operations)) bad('operations must be an array');
  if (!Array.isArray(p.conflicts) || !p.conflicts.every(isRecord)) bad('conflicts must be an array of objects');
  if (!Array.isArray(p.warnings) || !p.warnings.every(isRecord)) bad('warnings must be an array of objects');
  return issues;
}

function isMode(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0o7777;
}

function isExpected(v: unknown, allowed: readonly string[]): boolean {
  if (!isRecord(v) || typeof v.type !== 'string' || !allowed.includes(v.type)) return false;
  switch (v.type) {
    case 'file':
      return (
        typeof v.size === 'number' &&
        v.size >= 0 &&
        typeof v.mtimeMs === 'number' &&
        (v.mode === undefined || isMode(v.mode)) &&
        (v.hash === undefined || (typeof v.hash === 'string' && /^[0-9a-f]{64}$/.test(v.hash)))
      );
    case 'symlink':
      return typeof v.target === 'string';
    case 'directory':
      return v.tree === undefined || (typeof v.tree === 'string' && /^[0-9a-f]{64}$/.test(v.tree));
    default:
      return true;
  }
}

function checkOperationShape(op: unknown, index: number): PlanIssue[] {
  const at = `operations[${index}]`;
  if (!isRecord(op)) return [{ code: 'PLAN_SHAPE', message: `${at} is not an object.` }];
  const id = typeof op.id === 'string' && op.id !== '' ? op.id : undefined;
  const problems: string[] = [];
  if (id === undefined) problems.push('has no id');
  if (!isOperationType(op.type)) problems.push(`has an unknown type ${JSON.stringify(op.type)}`);
  if (typeof op.reason !== 'string' || !REASONS.has(op.reason))
    problems.push(`has an unknown reason ${JSON.stringify(op.reason)}`);
  if (op.account !== undefined && typeof op.account !== 'string') problems.push('account must be a string');
  if (op.sessionId !== undefined && typeof op.sessionId !== 'string') problems.push('sessionId must be a string');
  const str = (k: string) => {
    if (typeof op[k] !== 'string' || op[k] === '') problems.push(`${k} must be a path`);
  };
  const exp = (k: string, allowed: readonly ExpectedState['type'][]) => {
    if (!isExpected(op[k], allowed)) problems.push(`${k} must be an expected state of type ${allowed.join('|')}`);
  };
  if (isOperationType(op.type)) {
    const check: ShapeChecks = {
      op,
      problem: (text) => problems.push(text),
      path: str,
      mode: (k) => {
        if (!isMode(op[k])) problems.push(`${k} must be permission bits`);
      },
      expected: exp,
    };
    OPERATIONS[op.type].shape(check);
  }
  return problems.map((m) => ({
    code: 'PLAN_SHAPE' as const,
    message: `${at}${id ? ` (${id})` : ''} ${m}.`,
    ...(id === undefined ? {} : { operationId: id }),
  }));
}
