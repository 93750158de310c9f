# shellcheck shell=bash
# check.sh: assertions for the shell end-to-end suites (test_e2e_guard,
# test_e2e_apidoc), reported the way Criterion reports them, so that
# scripts/check reads their result lines as any suite's.  Source this
# file; it defines functions and sets checks and fails to 0.
#
#   check WHAT COMMAND...   one assertion: "ok: WHAT" when COMMAND
#                           succeeds, else "FAIL: WHAT" on stderr
#   check_synthesis         Criterion's closing line; true when no
#                           assertion failed

checks=0
fails=0

check() {
	local what=$1
	shift
	checks=$((checks + 1))
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what" >&2
		fails=$((fails + 1))
	fi
}

check_synthesis() {
	echo "[====] Synthesis: Tested: $checks | Passing: $((checks - fails)) |" \
		"Failing: $fails | Crashing: 0 "
	[ "$fails" -eq 0 ]
}
