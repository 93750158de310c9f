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
#                                and cgi/env.sh printing its GATEHOUSE_*
#                                environment
#   gh_authz_lighttpd OUT CGIDIR CONFIGFILE RUNDIR
#                                appends lighttpd's entries to OUT: the
#                                authorizer ("mode" => "authorizer") in
#                                front of each location, mod_cgi for the
#                                scripts
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
	done
	chmod -R a+rX "$docroot"
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
	local out=$1 cgidir=$2 config=$3 rundir=$4 n=${GH_AUTHORIZE_PROCS:-2}
	local copy='"PATH", "TZ"' v
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -z "${!v+set}" ] || copy="$copy, \"$v\""
	done
	{
		echo
		echo '# The authorizer in front of /members/ (any valid token),'
		echo '# /staff/ (authorize-admin: the admin role) and /app/'
		echo '# (tokens for the audience app); see lighttpd.conf.example.'
		echo 'server.modules += ( "mod_cgi" )'
		gh_authz_lighttpd_block '^/members/' authorize
		gh_authz_lighttpd_block '^/staff/' authorize-admin
		gh_authz_lighttpd_block '^/app/' authorize authorize-app \
			', "GATEHOUSE_REQUIRE_AUDIENCE" => "app"'
	} >>"$out"
}
