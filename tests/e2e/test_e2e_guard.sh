#!/usr/bin/env bash
# test_e2e_guard: docs/DEPLOY.md's "Guard a directory with a sign-in
# page" runs as written.  Promises: each snippet between its
# "<!-- snippet:NAME -->" and "<!-- /snippet -->" lines has at most 15
# non-blank lines; appended, with only the install paths changed, to a
# base config like Debian's stock one, it gives /members/ behind the
# authorizer (a browser without a cookie gets the 302 to the sign-in
# page), the page and its form at /auth/login, /auth/logout and
# /auth/gatehouse.css; a user made with the gatehouse command signs in
# with curl and reads the page, and signs out.
#
# Run by make check under tests/with-stack (tests/run-test), whose
# database and config it uses (settings: tests/e2e/test_e2e_guard.conf);
# the stack's own server is not used.  The server is GH_TEST_SERVER:
# lighttpd, or apache (test_e2e_guard-apache).  Everything it starts is
# stopped by PID on exit.
set -euo pipefail

top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
# shellcheck source=../../scripts/lib/stack.sh
. "$top/scripts/lib/stack.sh"
# shellcheck source=../../scripts/lib/apache.sh
. "$top/scripts/lib/apache.sh"
# shellcheck source=../lib/check.sh
. "$top/tests/lib/check.sh"

server=${GH_TEST_SERVER:-lighttpd}
doc="$top/docs/DEPLOY.md"
cgidir=${GH_TEST_CGI_DIR:?run under tests/with-stack}
: "${GH_TEST_CONFIG:?run under tests/with-stack}" "${GH_TEST_CLI:?}"
pid=

tmp=$(mktemp -d /tmp/gh-guard.XXXXXX)
chmod 755 "$tmp"
run="$tmp/run"
www="$tmp/www"

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	local rc=$?
	set +e
	if [ -n "$pid" ]; then
		if [ "$server" = apache ]; then
			gh_apache_down "$pid" "$run" || rc=1
		else
			gh_stack_down "$pid" "$run" || rc=1
		fi
	fi
	if [ "$rc" -ne 0 ]; then
		echo "--- the server's config:" >&2
		cat "$run/server.conf" >&2 2>/dev/null
		echo "--- the end of its logs:" >&2
		tail -n 30 "$run/error.log" "$run/lighttpd.out" "$run/apache.out" 2>/dev/null >&2
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# snippet NAME: the lines of the code block after "<!-- snippet:NAME -->",
# without its fences.
snippet() {
	awk -v start="<!-- snippet:$1 -->" '
		$0 == start { on = 1; next }
		on && /^```/ { if (fence++) exit; next }
		on { print }
	' "$doc"
}

# The install paths of docs/DEPLOY.md, changed to this test's.
paths() {
	sed -e "s|/usr/local/libexec/gatehouse|$cgidir|g" \
		-e "s|/usr/local/etc/gatehouse.conf|$run/gatehouse.conf|g" \
		-e "s|/usr/local/share/gatehouse/gatehouse.css|$top/etc/gatehouse.css|g" \
		-e "s|/run/lighttpd|$run|g" \
		-e "s|/var/www/html|$www|g"
}

# header NAME FILE: the value of a response header of a curl -D dump.
header() {
	awk -v n="$1" -F': ' '
		{ sub(/\r$/, "") }
		tolower($1) == tolower(n) { sub(/^[^:]*: /, ""); print; exit }
	' "$2"
}

# absent REGEX FILE: no line of FILE matches REGEX (case-blind).
absent() {
	! grep -qi -- "$1" "$2"
}

status() {
	awk 'NR == 1 { print $2 }' "$1"
}

gh_stack_dir "$run"
mkdir -p "$www/members"
printf '<!doctype html><title>members</title><p>guarded members page</p>\n' \
	>"$www/members/index.html"
# The programs' config, at a path of this test's own (so that stopping
# the server stops its programs, not the stack's).
cp "$GH_TEST_CONFIG" "$run/gatehouse.conf"
chmod 640 "$run/gatehouse.conf"
user=$(gh_stack_user)
[ -z "$user" ] || chgrp "$(id -gn "$user")" "$run/gatehouse.conf"

# The snippets: at most 15 lines each, as the issue promised.
if [ "$server" = apache ]; then
	snip=apache-guard
	snippet apache-guard-css | paths >"$run/install.sh"
	check "the apache-guard-css snippet is one command" \
		test "$(grep -c . "$run/install.sh")" -eq 1
	bash -euo pipefail "$run/install.sh"
else
	snip=lighttpd-guard
fi
snippet "$snip" >"$run/snippet.conf"
n=$(grep -c '[^[:space:]]' "$run/snippet.conf" || true)
check "the $snip snippet has $n non-blank lines, at most 15" \
	test "$n" -ge 5 -a "$n" -le 15
chmod -R a+rX "$www"

# A base config like Debian's stock one, then the snippet as written.
for _ in 1 2 3 4 5 6 7 8; do
	port=$(gh_free_port)
	if [ "$server" = apache ]; then
		{
			gh_apache_server_conf "$port" "$run" "$www"
			# The site's document root, as Debian's /var/www; and
			# what identifies the programs, for gh_apache_down.
			printf '<Directory "%s">\n\tRequire all granted\n</Directory>\n' "$www"
			printf 'Define GATEHOUSE_PROGRAMS "%s"\n' "$cgidir"
			printf 'Define GATEHOUSE_CONFIG_FILE "%s"\n' "$run/gatehouse.conf"
			echo "# docs/DEPLOY.md's $snip snippet:"
			paths <"$run/snippet.conf"
		} >"$run/server.conf"
		mkdir -p "$run/fcgid"
		rc=0
		gh_apache_up "$run/server.conf" "$port" "$run" || rc=$?
	else
		{
			cat <<EOF
server.modules = ( "mod_indexfile", "mod_access", "mod_alias", "mod_redirect" )
server.document-root = "$www"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$run/error.log"
server.pid-file = "$run/lighttpd.pid"
index-file.names = ( "index.html" )
mimetype.assign = ( ".html" => "text/html", ".css" => "text/css" )
EOF
			if [ -n "$user" ]; then
				printf 'server.username = "%s"\nserver.groupname = "%s"\n' \
					"$user" "$(id -gn "$user")"
			fi
			echo "# docs/DEPLOY.md's $snip snippet:"
			paths <"$run/snippet.conf"
		} >"$run/server.conf"
		rc=0
		gh_stack_up "$run/server.conf" "$port" "$run" || rc=$?
	fi
	[ "$rc" -eq 2 ] && continue
	[ "$rc" -eq 0 ] || exit 1
	break
done
pid=${GH_STACK_PID:?no free port for the server}
base="http://127.0.0.1:$port"

# A user, made as docs/DEPLOY.md says.
name="guard$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
pw="Guard-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-9aZ"
printf '%s\n' "$pw" | GATEHOUSE_CONFIG=$GH_TEST_CONFIG "$GH_TEST_CLI" \
	user add "$name" >/dev/null

jar="$tmp/cookies"
c() {
	curl -sS --max-time 30 -o "$tmp/body" -D "$tmp/head" -b "$jar" -c "$jar" "$@"
}

# 1. A browser without a cookie: to the sign-in page, back here after.
c -H 'Accept: text/html' "$base/members/"
check "GET /members/ without a cookie answers 302 ($(status "$tmp/head"))" \
	test "$(status "$tmp/head")" = 302
check "its Location is /auth/login?next=%2Fmembers%2F ($(header Location "$tmp/head"))" \
	test "$(header Location "$tmp/head")" = "/auth/login?next=%2Fmembers%2F"

# 2. The sign-in page, its form and the CSRF cookie.
c -H 'Accept: text/html' "$base/auth/login?next=%2Fmembers%2F"
check "GET /auth/login answers 200 ($(status "$tmp/head"))" \
	test "$(status "$tmp/head")" = 200
check "it is HTML ($(header Content-Type "$tmp/head"))" \
	grep -q '^text/html' <<<"$(header Content-Type "$tmp/head")"
check "it has the sign-in form" \
	grep -q '<form[^>]*method="post"[^>]*action="/auth/login"' "$tmp/body"
check "it links the stylesheet" \
	grep -q 'href="/auth/gatehouse.css"' "$tmp/body"
check "no sign-up link (registration = closed)" \
	absent '/auth/register' "$tmp/body"
csrf=$(awk '$6 == "gh_csrf" { print $7 }' "$jar")
check "it sets the gh_csrf cookie" test -n "$csrf"
check "the form carries the CSRF token" \
	grep -qF "name=\"csrf_token\" value=\"$csrf\"" "$tmp/body"

# 3. Signing in: 303 back to the page, with the access cookie.
c -H 'Accept: text/html' --data-urlencode "username=$name" \
	--data-urlencode "password=$pw" --data-urlencode "next=/members/" \
	--data-urlencode "csrf_token=$csrf" "$base/auth/login"
check "POST /auth/login answers 303 ($(status "$tmp/head"))" \
	test "$(status "$tmp/head")" = 303
check "to /members/ ($(header Location "$tmp/head"))" \
	test "$(header Location "$tmp/head")" = /members/
check "with the gh_access cookie" \
	grep -qi '^set-cookie: gh_access=' "$tmp/head"

# 4. The page, with the cookie.
c -H 'Accept: text/html' "$base/members/"
check "GET /members/ with the cookie answers 200 ($(status "$tmp/head"))" \
	test "$(status "$tmp/head")" = 200
check "with the members page" grep -q 'guarded members page' "$tmp/body"
check "and none of the authorizer's Variable-* headers" \
	absent '^variable-' "$tmp/head"

# 5. The stylesheet.
c "$base/auth/gatehouse.css"
check "GET /auth/gatehouse.css answers 200 ($(status "$tmp/head"))" \
	test "$(status "$tmp/head")" = 200
check "as text/css ($(header Content-Type "$tmp/head"))" \
	grep -q '^text/css' <<<"$(header Content-Type "$tmp/head")"
check "with gatehouse's stylesheet" cmp -s "$tmp/body" "$top/etc/gatehouse.css"

# 6. Signing out, and the page is guarded again.
csrf=$(awk '$6 == "gh_csrf" { print $7 }' "$jar")
c -H 'Accept: text/html' --data-urlencode "csrf_token=$csrf" "$base/auth/logout"
check "POST /auth/logout answers 303 ($(status "$tmp/head"))" \
	test "$(status "$tmp/head")" = 303
c -H 'Accept: text/html' "$base/members/"
check "GET /members/ after signing out answers 302 ($(status "$tmp/head"))" \
	test "$(status "$tmp/head")" = 302

check_synthesis
