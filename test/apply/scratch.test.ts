import { it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { applyPlan, recover } from '../../src/apply/index.js';
import { makeEnv } from './helpers/env.js';
import { capture } from './helpers/snapshot.js';
import { buildWorld, sharePlan } from './helpers/world.js';

it('scratch', async () => {
  const env = await makeEnv('disk');
  let t = performance.now();
  const lap = (what: string) => { const n = performance.now(); console.log(what, (n - t).toFixed(1)); t = n; };
  for (let i = 0; i < 3; i++) {
    rmSync(join(env.root, 'home'), { recursive: true, force: true }); lap('rm');
    const world = await buildWorld(env.fs, env.root); lap('build');
    const plan = await sharePlan(env.fs, world); lap('plan');
    await capture(env.fs, env.root); lap('capture');
    await applyPlan(plan, { fs: env.fs, concurrency: 1 }); lap('apply');
    await recover({ fs: env.fs, sharedDir: world.sharedDir }); lap('recover');
  }
  env.cleanup();
});
