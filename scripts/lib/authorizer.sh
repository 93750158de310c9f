# shellcheck shell=bash
# The authorizer's protected locations for tests/with-stack ("#stack:
# authorizer" in a suite's .conf): /members/ for any valid token, /staff/
# for the admin role, /app/ for tokens of the audience "app" (authorize
# with GATEHOUSE_REQUIRE_AUDIENCE=app; the suite's config lists app in
# token_audiences), each a static file and a CGI directory, as
# lighttpd.conf.example and etc/apache/gatehouse.conf show them.  Source
# this file; it defines functions and sets nothing else.
#
#   gh_authz_docroot DOCROOT     members/, staff/ and app/: index.txt,
#                                cgi/env.sh printing its GATEHOUSE_*
#                                environment, and the demo page (below)
#   gh_authz_demo DIR            DIR/index.html and DIR/cgi/whoami.sh, the
#                                demo a browser sees once signed in (who,
#                                the GATEHOUSE_* variables, a sign-out
#                                button); quickstart's /members/
#   gh_authz_lighttpd OUT CGIDIR CONFIGFILE RUNDIR [members]
#                                appends lighttpd's entries to OUT: the
#                                authorizer ("mode" => "authorizer") in
#                                front of each location (only /members/
#                                with "members", as quickstart has it),
#                                mod_cgi for the scripts
# (Apache: scripts/lib/apache.sh's gh_apache_conf with
# GH_APACHE_AUTHORIZER=1.)

gh_authz_docroot() {
	local docroot=$1 d
	for d in members staff app; do
		mkdir -p "$docroot/$d/cgi"
		printf 'gatehouse %s file\n' "$d" >"$docroot/$d/index.txt"
		cat >"$docroot/$d/cgi/env.sh" <<'EOF'
#!/bin/sh
# What the authorizer handed the protected application.
printf 'Content-Type: text/plain\r\n\r\n'
printf 'GATEHOUSE_USER_ID=%s\n' "${GATEHOUSE_USER_ID:-}"
printf 'GATEHOUSE_USERNAME=%s\n' "${GATEHOUSE_USERNAME:-}"
printf 'GATEHOUSE_ROLES=%s\n' "${GATEHOUSE_ROLES:-}"
EOF
		chmod 755 "$docroot/$d/cgi/env.sh"
		gh_authz_demo "$docroot/$d"
	done
	chmod -R a+rX "$docroot"
}

# The demo page is a CGI because a sign-out form must carry the CSRF
# cookie's value (POST /auth/logout checks the two are equal), which a
# static page cannot know.  Only the token's base64url characters are
# echoed, and the names are HTML-escaped: the page prints what the client
# sent.
gh_authz_demo() {
	local dir=$1
	mkdir -p "$dir/cgi"
	cat >"$dir/index.html" <<'EOF'
<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Members - gatehouse demo</title>
<link rel="stylesheet" href="/auth/gatehouse.css">
<main class="gh-card">
<h1>You are signed in</h1>
<p>This page is behind the gatehouse authorizer: you see it because your
browser holds a valid access cookie.</p>
<p><a href="cgi/whoami.sh">Who am I?</a> shows what the authorizer told
the application about you, and lets you sign out.</p>
</main>
</html>
EOF
	cat >"$dir/cgi/whoami.sh" <<'EOF'
#!/bin/sh
# The signed-in user, as the authorizer handed it to this application
# (GATEHOUSE_* variables), and a sign-out form carrying the CSRF cookie.
esc() {
	printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' \
		-e 's/>/\&gt;/g' -e 's/"/\&quot;/g'
}
csrf=$(printf '%s' "${HTTP_COOKIE:-}" | tr ';' '\n' |
	sed -n 's/^ *\(__Host-\)\{0,1\}gh_csrf=//p' | head -n 1 |
	tr -cd 'A-Za-z0-9_-')
printf 'Content-Type: text/html; charset=utf-8\r\n'
printf 'Cache-Control: no-store\r\n\r\n'
cat <<HTML
<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Who am I - gatehouse demo</title>
<link rel="stylesheet" href="/auth/gatehouse.css">
<main class="gh-card">
<h1>You are signed in</h1>
<p>as <strong id="username">$(esc "${GATEHOUSE_USERNAME:-}")</strong></p>
<p>The authorizer handed this page:</p>
<pre id="env" style="white-space: pre-wrap; overflow-wrap: anywhere">GATEHOUSE_USER_ID=$(esc "${GATEHOUSE_USER_ID:-}")
GATEHOUSE_USERNAME=$(esc "${GATEHOUSE_USERNAME:-}")
GATEHOUSE_ROLES=$(esc "${GATEHOUSE_ROLES:-}")</pre>
<form method="post" action="/auth/logout">
<input type="hidden" name="csrf_token" value="$csrf">
<button type="submit">Sign out</button>
</form>
</main>
</html>
HTML
EOF
	chmod 755 "$dir/cgi/whoami.sh"
	chmod -R a+rX "$dir"
}

# gh_authz_lighttpd_block PATTERN PROGRAM [NAME ENV] (uses
# gh_authz_lighttpd's locals): NAME names the pool and its socket
# (PROGRAM's name by default), ENV adds to its bin-environment.
gh_authz_lighttpd_block() {
	local pattern=$1 prog=$2 name=${3:-$2} env=${4:-}
	cat <<EOF
\$HTTP["url"] =~ "$pattern" {
	fastcgi.server = ( "/" => ( "$name" => (
		"mode" => "authorizer",
		"bin-path" => "$cgidir/$prog",
		"socket" => "$rundir/$name.sock",
		"check-local" => "disable",
		"min-procs" => $n,
		"max-procs" => $n,
		"bin-environment" => ( "GATEHOUSE_CONFIG" => "$config"$env ),
		"bin-copy-environment" => ( $copy ),
	) ) )
	\$HTTP["url"] =~ "/cgi/" {
		cgi.assign = ( ".sh" => "/bin/sh" )
	}
}
EOF
}

gh_authz_lighttpd() {
	local out=$1 cgidir=$2 config=$3 rundir=$4 only=${5:-}
	local n=${GH_AUTHORIZE_PROCS:-2}
	local copy='"PATH", "TZ"' v
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -z "${!v+set}" ] || copy="$copy, \"$v\""
	done
	{
		echo
		echo '# The authorizer in front of /members/ (any valid token),'
		if [ "$only" != members ]; then
			echo '# /staff/ (authorize-admin: the admin role) and /app/'
			echo '# (tokens for the audience app),'
		fi
		echo '# as lighttpd.conf.example shows it.'
		echo 'server.modules += ( "mod_cgi" )'
		gh_authz_lighttpd_block '^/members/' authorize
		if [ "$only" != members ]; then
			gh_authz_lighttpd_block '^/staff/' authorize-admin
			gh_authz_lighttpd_block '^/app/' authorize authorize-app \
				', "GATEHOUSE_REQUIRE_AUDIENCE" => "app"'
		fi
	} >>"$out"
}
