#!/usr/bin/env bash
# Opt-in check with the real Claude Code CLI (npm run check:cleanup-folders): what Claude
# Code's cleanup deletes under a low cleanupPeriodDays, folder by folder. An account whose
# settings.json says {"cleanupPeriodDays": 2} gets, all with an mtime 10 days back: a
# transcript, its session folder (subagents/, tool-results/), a flat agent-*.jsonl, a
# project's memory/ notes and sessions-index.json, and one file in each top-level folder
# that can be shared with --folders (file-history/, todos/, shell-snapshots/, debug/,
# plans/, session-env/, memory/). One `claude -p` run later, the script prints what is
# gone and what is left.
#
# Needs CLAUDE_BIN (default: /work/cc/node_modules/@anthropic-ai/claude-code-linux-x64/claude)
# and /work/shared/tools/mock-anthropic.mjs (MOCK). The reply is delayed 9 s by
# delay-proxy.mjs to keep `claude -p` alive past its housekeeping timer.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
CLAUDE=${CLAUDE_BIN:-/work/cc/node_modules/@anthropic-ai/claude-code-linux-x64/claude}
MOCK_JS=${MOCK:-/work/shared/tools/mock-anthropic.mjs}
R=$(mktemp -d /tmp/css-cleanup-folders-XXXXXX)
A=$R/acct
mkdir -p $A $R/repo
echo '{"cleanupPeriodDays": 2}' > $A/settings.json
P=$A/projects/$(echo "$R/repo" | sed 's/[^A-Za-z0-9]/-/g')
id=$(cat /proc/sys/kernel/random/uuid)
old() { mkdir -p "$(dirname "$1")"; printf '%s\n' "${2:-x}" > "$1"; touch -d '10 days ago' "$1"; }
old $P/$id.jsonl "{\"type\":\"user\",\"sessionId\":\"$id\",\"cwd\":\"$R/repo\",\"message\":{\"role\":\"user\",\"content\":\"old\"}}"
old $P/$id/subagents/agent-a1b2c3d4.jsonl '{}'
old $P/$id/subagents/agent-a1b2c3d4.meta.json '{}'
old $P/$id/tool-results/result-1.txt
old $P/agent-1a2b3c4d.jsonl '{}'
old $P/memory/MEMORY.md '- [note](note.md)'
old $P/memory/note.md 'a note'
old $P/sessions-index.json '{}'
old $A/file-history/$id/0123456789abcdef@v1
old $A/todos/$id-agent-$id.json '[]'
old $A/shell-snapshots/snapshot-bash-1700000000000-abcdef.sh
old $A/debug/$id.txt
old $A/plans/old-plan.md
old $A/session-env/$id/env
old $A/memory/MEMORY.md
for d in $(find $A -type d); do touch -d '10 days ago' $d; done
echo "before (mtime, path under the account):"; (cd $A && find . -type f ! -name settings.json -printf '%TY-%Tm-%Td %p\n' | sort)
node "$MOCK_JS" --port 0 --port-file $R/mock.port --log $R/mock.log >/dev/null & MOCKPID=$!
while [ ! -s $R/mock.port ]; do sleep 0.1; done
node "$HERE/delay-proxy.mjs" http://127.0.0.1:$(cat $R/mock.port) $R/proxy.port 9000 & PROXY=$!
while [ ! -s $R/proxy.port ]; do sleep 0.1; done
cd $R/repo
env -u CLAUDECODE CLAUDE_CONFIG_DIR=$A ANTHROPIC_BASE_URL=http://127.0.0.1:$(cat $R/proxy.port) \
  ANTHROPIC_API_KEY=sk-test DISABLE_AUTOUPDATER=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 \
  DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1 timeout 120 "$CLAUDE" -p "hello" >/dev/null || echo "claude exit $?"
kill $MOCKPID $PROXY
echo "after, the old files left (everything else of the list above was deleted):"
(cd $A && find . -type f ! -newermt '5 days ago' ! -name settings.json -printf '%p\n' | sort)
rm -rf "$R"
