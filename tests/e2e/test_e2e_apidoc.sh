#!/usr/bin/env bash
# test_e2e_apidoc: docs/API.md's examples run as written.  Promises:
# every ```sh block of the guide runs, in the order of the page, in one
# bash with set -euo pipefail (so a variable one block sets is there for
# the next, and a failing command fails the test), against the stack of
# tests/with-stack; a ```text block right after a ```sh block (nothing
# but blank lines between) is that block's expected output, compared
# line for line; a "<!-- test: COMMAND -->" line is a step the reader
# does by hand (reading a token from a mail) that the test does in the
# same bash, with mail_token.  Besides, every repository path the page
# names exists, and every link into docs/openapi.yaml names an
# operation the document has.
#
# The page's `gatehouse` command is the stack's (GH_TEST_CLI with its
# config), $GATEHOUSE the stack's base URL.  Run by make check under
# tests/with-stack (tests/run-test), settings in
# tests/e2e/test_e2e_apidoc.conf; on lighttpd, and on Apache as
# test_e2e_apidoc-apache.
set -euo pipefail

top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
# shellcheck source=../lib/check.sh
. "$top/tests/lib/check.sh"
# GH_APIDOC: another page to run (a broken copy, to see the test fail).
doc=${GH_APIDOC:-$top/docs/API.md}
name=${doc#"$top"/}
: "${GH_TEST_BASE_URL:?run under tests/with-stack}" "${GH_TEST_CLI:?}"
: "${GH_TEST_CONFIG:?}" "${GH_TEST_MAILDIR:?the .conf asks for mail}"

tmp=$(mktemp -d /tmp/gh-apidoc.XXXXXX)
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	local rc=$?
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v jq >/dev/null || { echo "test_e2e_apidoc: jq is missing" >&2; exit 1; }

# The steps: NNN.sh (a block, or a hidden step), NNN.line (its line in
# the page), NNN.want (the output the page shows after it).
mkdir "$tmp/steps" "$tmp/out"
awk -v dir="$tmp/steps" '
	function name(n) { return sprintf("%s/%03d", dir, n) }
	function open_step(kind) {
		n++
		print NR > (name(n) ".line")
		close(name(n) ".line")
		file = name(n) "." kind
	}
	in_block && /^```/ { in_block = 0; close(file); last = (kind == "sh") ? n : 0; next }
	in_block { print > file; next }
	/^```sh$/ { kind = "sh"; open_step("sh"); in_block = 1; printf "" > file; next }
	/^```text$/ && last {
		kind = "text"; file = name(last) ".want"; in_block = 1
		printf "" > file; last = 0; next
	}
	/^```/ { kind = "other"; file = "/dev/null"; in_block = 1; last = 0; next }
	/^<!-- test: .* -->$/ {
		open_step("sh")
		line = $0
		sub(/^<!-- test: /, "", line); sub(/ -->$/, "", line)
		print line > file; close(file)
		last = 0; next
	}
	/[^[:space:]]/ { last = 0 }
' "$doc"
nsteps=$(find "$tmp/steps" -name '*.sh' | wc -l)
check "the page has examples to run ($nsteps steps)" test "$nsteps" -ge 20

# The runner: one bash for all the steps, each step's output to its own
# file, the step under way in "at".
{
	cat <<'EOF'
set -euo pipefail
gatehouse() {
	GATEHOUSE_CONFIG=$GH_TEST_CONFIG "$GH_TEST_CLI" "$@"
}
# mail_token RCPT PATH [N]: the token of the link to PATH in the N-th
# (default the first) message to RCPT carrying one, waiting up to 30 s
# for it (mail goes out after the answer, later still under valgrind).
mail_token() {
	local i f n=0 want=${3:-1}
	for i in $(seq 300); do
		n=0
		for f in "$GH_TEST_MAILDIR"/*.eml; do
			[ -f "$f" ] || continue
			grep -qi "^X-Sink-Rcpt:.*$1" "$f" || continue
			grep -q "$2?token=" "$f" || continue
			n=$((n + 1))
			if [ "$n" -eq "$want" ]; then
				grep -o "$2?token=[A-Za-z0-9_-]*" "$f" | head -n 1 |
					sed 's/.*?token=//'
				return 0
			fi
		done
		sleep 0.1
	done
	echo "mail_token: no message $want to $1 with $2" >&2
	return 1
}
GATEHOUSE=$GH_TEST_BASE_URL
EOF
	for f in "$tmp"/steps/*.sh; do
		s=$(basename "$f" .sh)
		printf 'echo %s >"%s/at"\n' "$s" "$tmp"
		printf '{ . "%s"; } >"%s/out/%s" 2>"%s/out/%s.err"\n' \
			"$f" "$tmp" "$s" "$tmp" "$s"
	done
	printf 'echo done >"%s/at"\n' "$tmp"
} >"$tmp/run.sh"

rc=0
(cd "$tmp" && bash "$tmp/run.sh") || rc=$?
at=$(cat "$tmp/at" 2>/dev/null || echo none)
check "every example runs (exit $rc, stopped at step $at)" \
	test "$rc" -eq 0 -a "$at" = "done"

for f in "$tmp"/steps/*.sh; do
	s=$(basename "$f" .sh)
	line=$(cat "$tmp/steps/$s.line")
	[ -f "$tmp/out/$s" ] || break
	if [ "$s" = "$at" ]; then
		echo "--- the block at $name:$line failed:" >&2
		sed 's/^/  | /' "$f" >&2
		echo "--- its output, then its stderr:" >&2
		cat "$tmp/out/$s" "$tmp/out/$s.err" >&2
		break
	fi
	[ -f "$tmp/steps/$s.want" ] || continue
	if diff -u "$tmp/steps/$s.want" "$tmp/out/$s" >"$tmp/diff"; then
		check "$name:$line prints what the page shows" true
	else
		check "$name:$line prints what the page shows" false
		cat "$tmp/diff" "$tmp/out/$s.err" >&2
	fi
done

# Every path of the repository the page names is in the repository.
missing=
while IFS= read -r p; do
	[ -e "$top/$p" ] || missing="$missing $p"
done < <(grep -oE '(^|[^A-Za-z0-9_./-])(docs|sql|etc|scripts|src|tests|cgi-bin|man|debian)/[A-Za-z0-9_./-]*[A-Za-z0-9_]' "$doc" |
	sed -E 's|^[^a-z]||' | sort -u)
check "every file the page names is in the repository${missing:+ (not:$missing)}" \
	test -z "$missing"

# Every link into docs/openapi.yaml names an operation it has.
links=$(grep -oE 'openapi\.yaml#/paths/[^) ]*' "$doc" | sort -u)
bad=$(printf '%s\n' "$links" | /usr/bin/python3 -c '
import sys, urllib.parse, yaml
with open(sys.argv[1]) as f:
	d = yaml.safe_load(f)
if not d.get("paths"):
	print("no paths")
	sys.exit(0)
for l in sys.stdin.read().split():
	node = d
	for part in l.split("#", 1)[1].split("/")[1:]:
		part = urllib.parse.unquote(part).replace("~1", "/").replace("~0", "~")
		node = node.get(part) if isinstance(node, dict) else None
	if not isinstance(node, dict):
		print(l)
' "$top/docs/openapi.yaml")
if [ "$bad" = "no paths" ]; then
	echo "skip: docs/openapi.yaml has no paths yet"
else
	check "every link into docs/openapi.yaml resolves${bad:+ (not: $(echo "$bad" | tr '\n' ' '))}" \
		test -z "$bad"
fi

check_synthesis
