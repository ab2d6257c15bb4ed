#!/usr/bin/env bash
# Opt-in check with the real Claude Code CLI (npm run check:cleanup-cli): a project's
# .claude/settings.json (or settings.local.json, SETTINGS_NAME=settings.local.json) with
# {"cleanupPeriodDays": 2} makes one `claude -p` run started in that project delete every
# transcript older than 2 days from a shared projects/ folder, in every project, although the
# account's own settings.json says 3650. With RETAIN=1, hard links of the transcripts are made
# first in <shared>/.retained/projects/: they survive the cleanup (link count drops to 1).
#
# Needs CLAUDE_BIN (default: /work/cc/node_modules/@anthropic-ai/claude-code-linux-x64/claude)
# and /work/shared/tools/mock-anthropic.mjs (MOCK). Claude Code's housekeeping runs ~5 s after
# start, so the reply is delayed 9 s by delay-proxy.mjs to keep `claude -p` alive past it.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
CLAUDE=${CLAUDE_BIN:-/work/cc/node_modules/@anthropic-ai/claude-code-linux-x64/claude}
MOCK_JS=${MOCK:-/work/shared/tools/mock-anthropic.mjs}
R=$(mktemp -d /tmp/css-cleanup-cli-XXXXXX)
mkdir -p $R/shared/projects $R/repo/.claude $R/acct
echo '{"cleanupPeriodDays": 3650}' > $R/acct/settings.json
ln -s $R/shared/projects $R/acct/projects
echo '{"cleanupPeriodDays": 2}' > $R/repo/.claude/${SETTINGS_NAME:-settings.json}
P=$R/shared/projects/$(echo "$R/repo" | sed 's/[^A-Za-z0-9]/-/g'); O=$R/shared/projects/-home-other-project
mkdir -p $P $O
for d in $P $O; do for i in 1 2 3; do
  id=$(cat /proc/sys/kernel/random/uuid)
  printf '{"type":"user","sessionId":"%s","cwd":"%s","message":{"role":"user","content":"old %s"}}\n' $id "$R/repo" $i > $d/$id.jsonl
  touch -d '10 days ago' $d/$id.jsonl
  id=$(cat /proc/sys/kernel/random/uuid)
  printf '{"type":"user","sessionId":"%s","cwd":"%s","message":{"role":"user","content":"new %s"}}\n' $id "$R/repo" $i > $d/$id.jsonl
done; done
if [ -n "${RETAIN:-}" ]; then (cd $R/shared/projects && find . -name "*.jsonl" | while read f; do mkdir -p $R/shared/.retained/projects/$(dirname $f); ln $f $R/shared/.retained/projects/$f; done); fi
echo "before:"; find $R/shared/projects -name '*.jsonl' -printf '%TY-%Tm-%Td %p\n' | sort
node "$MOCK_JS" --port 0 --port-file $R/mock.port --log $R/mock.log >/dev/null & MOCKPID=$!
while [ ! -s $R/mock.port ]; do sleep 0.1; done
node "$HERE/delay-proxy.mjs" http://127.0.0.1:$(cat $R/mock.port) $R/proxy.port 9000 & PROXY=$!
while [ ! -s $R/proxy.port ]; do sleep 0.1; done
cd $R/repo
env -u CLAUDECODE CLAUDE_CONFIG_DIR=$R/acct ANTHROPIC_BASE_URL=http://127.0.0.1:$(cat $R/proxy.port) \
  ANTHROPIC_API_KEY=sk-test DISABLE_AUTOUPDATER=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 \
  DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1 timeout 120 "$CLAUDE" -p "hello" || echo "claude exit $?"
kill $MOCKPID $PROXY
echo "after:"; find $R/shared/projects -name '*.jsonl' -printf '%TY-%Tm-%Td %p\n' | sort
if [ -n "${RETAIN:-}" ]; then echo "retained (mtime, link count, path):"; find $R/shared/.retained -name "*.jsonl" -printf "%TY-%Tm-%Td %n %p\n" | sort; fi
old_left=$(find $R/shared/projects -name '*.jsonl' -mtime +5 | wc -l)
echo "old transcripts left in the shared folder: $old_left (0 means the project setting deleted them)"
rm -rf "$R"
