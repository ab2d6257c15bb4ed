#!/usr/bin/env python3
"""
The command's share with and without the executor's step workers, paired with the seed
recipe in the same run: each variant on a fresh `cp -a` of the corpus, synced first.

    python3 bench/share-workers.py --dist dist --corpus /tmp/g-share-corpus \
        --variants recipe,default,0,recipe,default,0

A variant is `recipe`, `default` (the command's own choice) or a number of workers
(`CLAUDE_SHARED_SESSIONS_WORKERS`). Prints one JSON line per run: wall and CPU seconds
(user + system, the command and its children).
"""
import argparse, json, os, resource, shutil, subprocess, time

ap = argparse.ArgumentParser()
ap.add_argument('--dist', default='dist')
ap.add_argument('--corpus', default='/tmp/g-share-corpus')
ap.add_argument('--work', default=None)
ap.add_argument('--variants', default='recipe,default,0,recipe,default,0')
args = ap.parse_args()
dist = os.path.abspath(args.dist)
work = os.path.abspath(args.work or args.corpus.rstrip('/') + '.workers')

def fresh():
    shutil.rmtree(work, ignore_errors=True)
    subprocess.run(['cp', '-a', args.corpus, work], check=True)
    subprocess.run(['sync'], check=True)
    return sorted(os.path.join(work, n) for n in os.listdir(work) if n.startswith('acct-'))

for v in args.variants.split(','):
    accounts = fresh()
    shared = os.path.join(work, 'shared', 'projects')
    env = dict(os.environ)
    env.pop('UV_THREADPOOL_SIZE', None)
    env.pop('CLAUDE_SHARED_SESSIONS_WORKERS', None)
    if v == 'recipe':
        os.makedirs(shared)
        steps = [f'rsync -a --ignore-existing "{a}/projects/" "{shared}/"' for a in accounts]
        steps += [f'mv "{a}/projects" "{a}/projects.bak.1"' for a in accounts]
        steps += [f'ln -s "{shared}" "{a}/projects"' for a in accounts]
        cmd = ['bash', '-c', ' && '.join(steps)]
    else:
        if v != 'default':
            env['CLAUDE_SHARED_SESSIONS_WORKERS'] = v
        cmd = ['node', os.path.join(dist, 'cli.js'), 'apply', '--yes', '--json', '--accounts', *accounts, '--shared', shared]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.time()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.time() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    print(json.dumps({'variant': v, 'exit': p.returncode, 'wall_s': round(wall, 2), 'cpu_s': round(cpu, 2),
                      'user_s': round(after.ru_utime - before.ru_utime, 2), 'load': round(os.getloadavg()[0], 1)}), flush=True)
    if p.returncode:
        print(p.stderr[-2000:].decode(errors='replace'))
shutil.rmtree(work, ignore_errors=True)
