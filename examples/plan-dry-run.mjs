#!/usr/bin/env node
// @ts-check
/**
 * A dry run in code: plans sharing every discovered account, prints the plan as people
 * read it, and saves it as JSON. Nothing on disk changes but the saved file; apply it
 * later with `claude-shared-sessions apply --plan <file>` (refused if the disk changed).
 *
 *   node examples/plan-dry-run.mjs [--home <dir>] [--shared <dir>] [--out share-plan.json] [account...]
 *
 * With no accounts named, every account found in the home folder is planned for.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { describePlan, share, validatePlan } from 'claude-shared-sessions';

const USAGE = 'usage: plan-dry-run.mjs [--home dir] [--shared dir] [--out file] [account...]';
let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      home: { type: 'string' },
      shared: { type: 'string' },
      out: { type: 'string', default: 'share-plan.json' },
    },
  });
} catch (error) {
  console.error(`${error instanceof Error ? error.message : error}\n${USAGE}`);
  process.exit(1);
}
if (parsed.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const { values, positionals } = parsed;

const plan = await share({
  // Sharing is opt-in: name the accounts, or ask for every account discovery finds.
  ...(positionals.length > 0 ? { accounts: positionals } : { discover: true }),
  ...(values.home === undefined ? {} : { home: values.home }),
  ...(values.shared === undefined ? {} : { sharedDir: values.shared }),
});

console.log(describePlan(plan));

// A plan is plain data: it can be checked, diffed and stored like any JSON.
const issues = validatePlan(plan);
if (issues.length > 0) throw new Error(issues.map((i) => `${i.code}: ${i.message}`).join('\n'));
await writeFile(values.out, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });

const counts = {};
for (const op of plan.operations) counts[op.type] = (counts[op.type] ?? 0) + 1;
console.log(`Saved ${plan.operations.length} operations to ${values.out}:`, counts);
console.log(`Conflicts: ${plan.conflicts.length}, warnings: ${plan.warnings.length}. Nothing was changed.`);
