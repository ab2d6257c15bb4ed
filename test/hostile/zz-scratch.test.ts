import { it } from 'vitest';
import { applyPlan } from '../../src/apply/index.js';
import { inspect } from '../../src/inspect/inspect.js';
import { share } from '../../src/plan/verbs.js';
import { listSessions } from '../../src/sessions/index.js';
import { applyOptions, dump, memSandbox, seed, session, verbOptions } from './helpers/world.js';

it('x', async () => {
  const sb = await memSandbox();
  const files: Record<string, string> = {};
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  for (let n = 0; n < 10_000; n++)
    files[session(n % 2 === 0 ? sb.a : sb.b, id(n), '-big')] =
      `{"type":"user","message":{"role":"user","content":"p"}}\n`;
  let t = performance.now();
  const lap = (w: string) => {
    const n = performance.now();
    console.log(w, Math.round(n - t));
    t = n;
  };
  await seed(sb.fs, files);
  lap('seed');
  await dump(sb);
  lap('dump');
  await inspect(verbOptions(sb));
  lap('inspect');
  const plan = await share(verbOptions(sb));
  lap('share');
  await listSessions({ fs: sb.fs, home: sb.home, env: {}, accounts: [sb.a, sb.b] });
  lap('list');
  await applyPlan(plan, applyOptions(sb, { concurrency: 8 }));
  lap('apply');
  await share(verbOptions(sb));
  lap('replan');
});
