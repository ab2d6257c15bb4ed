#!/usr/bin/env bash
# Opt-in check with the real Claude Code CLI (npm run check:fold-cli): after `doctor --fix`
# folds a diverged Syncthing conflict copy of a transcript into a forked session, both the
# kept id and the fork's id resume with `claude --resume <id> -p`, each with its own
# history. The situation is built by hand, as two machines would leave it:
#   1. `claude -p "ALPHA …"` makes a session S in a shared projects/ folder;
#   2. its transcript is saved, `claude --resume S -p "BRANCH-L …"` appends to it (machine L),
#      and that version is put aside;
#   3. the saved transcript is put back and `claude --resume S -p "BRANCH-D …"` appends to
#      it (machine D); D's version is the newer one and keeps the name S.jsonl;
#   4. L's version is renamed as Syncthing renames the loser of a conflict:
#      S.sync-conflict-<date>-<time>-<7 chars>.jsonl.
# Then `claude-shared-sessions doctor --fix --yes` folds it, and each id is resumed with a
# prompt CHECK-<id>; the mock API's dump of that request shows which earlier prompts were
# sent with it. Prints PASS or FAIL lines; exit 1 on any FAIL.
#
# Needs CLAUDE_BIN (default: /work/cc/node_modules/@anthropic-ai/claude-code-linux-x64/claude),
# MOCK (default /work/shared/tools/mock-anthropic.mjs) and the built command (npm run build).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
CLI="node $HERE/../../dist/cli.js"
CLAUDE=${CLAUDE_BIN:-/work/cc/node_modules/@anthropic-ai/claude-code-linux-x64/claude}
MOCK_JS=${MOCK:-/work/shared/tools/mock-anthropic.mjs}
R=$(mktemp -d /tmp/css-fold-cli-XXXXXX)
R=$(cd "$R" && pwd -P)
H=$R/home
mkdir -p "$H/.claude" "$H/.claude-shared/projects" "$R/repo"
echo '{"cleanupPeriodDays": 3650}' > "$H/.claude/settings.json"
ln -s "$H/.claude-shared/projects" "$H/.claude/projects"
P=$H/.claude-shared/projects/$(echo "$R/repo" | sed 's/[^A-Za-z0-9]/-/g')

node "$MOCK_JS" --port 0 --port-file "$R/mock.port" --log "$R/mock.log" --dump-dir "$R/dump" >/dev/null &
MOCKPID=$!
trap 'kill $MOCKPID 2>/dev/null || true' EXIT
mkdir -p "$R/dump"
while [ ! -s "$R/mock.port" ]; do sleep 0.1; done
claude() {
  (cd "$R/repo" && env -u CLAUDECODE CLAUDE_CONFIG_DIR="$H/.claude" \
    ANTHROPIC_BASE_URL=http://127.0.0.1:$(cat "$R/mock.port") ANTHROPIC_API_KEY=sk-test \
    DISABLE_AUTOUPDATER=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_TELEMETRY=1 \
    DISABLE_ERROR_REPORTING=1 timeout 120 "$CLAUDE" "$@")
}
# The prompts of the main-loop requests made since the dump folder was emptied.
sent() { cat "$R"/dump/*.json 2>/dev/null | grep -o 'ALPHA[^"\\]*\|BRANCH-[LD][^"\\]*\|CHECK-[0-9a-f-]*' | sort -u; rm -f "$R"/dump/*.json; }

claude -p "ALPHA first prompt" >/dev/null
S=$(ls "$P" | sed -n 's/^\([0-9a-f-]\{36\}\)\.jsonl$/\1/p' | head -1)
echo "session S = $S"
rm -f "$R"/dump/*.json
cp -p "$P/$S.jsonl" "$R/base.jsonl"
claude --resume "$S" -p "BRANCH-L written on machine L" >/dev/null
mv "$P/$S.jsonl" "$R/L.jsonl"
cp -p "$R/base.jsonl" "$P/$S.jsonl"
sleep 1
claude --resume "$S" -p "BRANCH-D written on machine D" >/dev/null
rm -f "$R"/dump/*.json
touch -d '1 minute ago' "$R/L.jsonl"    # D's copy is newer: Syncthing keeps it as S.jsonl
mv "$R/L.jsonl" "$P/$S.sync-conflict-20261203-101500-ABCDEFG.jsonl"
echo "before the fold:"; ls "$P"

$CLI doctor --fix --yes --home "$H" --no-color | sed 's/^/  doctor: /'
echo "after the fold:"; ls "$P"
F=$($CLI list --all --json --home "$H" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const r of JSON.parse(s))if(r.sessionId!==process.argv[1])console.log(r.sessionId)})' "$S")
echo "forked session F = $F"

fail=0
check() { # id, must, must-not
  claude --resume "$1" -p "CHECK-$1" >/dev/null || { echo "FAIL: claude --resume $1 exited $?"; fail=1; return; }
  got=$(sent)
  echo "resume $1 sent:"; echo "$got" | sed 's/^/    /'
  if echo "$got" | grep -q "^ALPHA" && echo "$got" | grep -q "^$2" && ! echo "$got" | grep -q "^$3"; then
    echo "PASS: $1 resumes with ALPHA and $2, without $3"
  else
    echo "FAIL: $1 should resume with ALPHA and $2, without $3"; fail=1
  fi
}
[ -n "$F" ] || { echo "FAIL: no forked session listed"; fail=1; }
check "$S" BRANCH-D BRANCH-L
[ -n "$F" ] && check "$F" BRANCH-L BRANCH-D
echo "files after the resumes:"; ls "$P"
kill $MOCKPID 2>/dev/null || true
if [ -z "${KEEP:-}" ]; then rm -rf "$R"; else echo "kept $R"; fi
exit $fail
