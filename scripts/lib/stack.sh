# shellcheck shell=bash
# A whole gatehouse stack (config file, lighttpd spawning the FastCGI
# programs, a loopback port) for scripts/quickstart, tests/with-stack and
# benchmarks.  Source this file; it defines functions and sets nothing
# else.  Every function is safe under `set -euo pipefail`.
#
#   gh_free_port                       prints a free 127.0.0.1 TCP port
#   gh_stack_user                      the user the programs run as ("" if not root)
#   gh_stack_dir DIR                   makes DIR, usable by that user
#   gh_stack_reachable PATH WHAT       fails clearly when that user can't reach PATH
#   gh_stack_config FILE DBURL SECRET [key=value ...]
#                                      (and gatehouse-admin.conf beside FILE)
#   gh_stack_admin_config FILE DBURL   the owner's config, for the CLI only
#   gh_stack_top                       the checkout's top directory
#   gh_lighttpd_conf OUT PORT CGIDIR CONFIGFILE RUNDIR [DOCROOT]
#   gh_lighttpd_api_block API_DIR      /api/openapi.json and /api/docs as files
#   gh_config_keys EXAMPLE             the keys of a gatehouse.conf.example
#   gh_stack_up CONF PORT RUNDIR       starts lighttpd -D, sets GH_STACK_PID
#   gh_stack_program_pids PID RUNDIR   the stack's running programs
#   gh_stack_down [PID [RUNDIR]]       stops it and every program it spawned
#
# GH_API_DIR, when set, is a build's api/ directory (openapi.json, docs/):
# gh_lighttpd_conf serves it, and so does scripts/lib/apache.sh.
# Pool sizes come from GH_LOGIN_PROCS (default 2), GH_PROCS (default 4:
# register, me, admin), GH_HEALTH_PROCS and GH_WELLKNOWN_PROCS (default
# 2 each).  Login hashes
# passwords with bcrypt, so it has its own small pool: a burst of logins
# fills login's processes and never the ones serving /me or the admin API.
# GH_MAX_REQUEST_KB (default 2048) is lighttpd's body limit, kept above
# gatehouse's largest max_body_bytes.
#
# Facts this relies on (lighttpd 1.4.69, checked): it binds the port, then
# spawns every program, then listens; the programs inherit lighttpd's own
# stderr (RUNDIR/lighttpd.out here), not server.errorlog; without
# "bin-copy-environment" a program gets all of lighttpd's environment;
# $HTTP["url"] is the normalized path (/api//auth/me matches /api/auth/me)
# while the program sees the raw REQUEST_URI; a POST without
# Content-Length gets lighttpd's own HTML 411.

# The unprivileged user lighttpd and the programs run as when started by
# root (lighttpd keeps root otherwise); GH_STACK_USER overrides.
gh_stack_user() {
	if [ "$(id -u)" -eq 0 ]; then
		printf '%s\n' "${GH_STACK_USER:-www-data}"
	fi
}

# gh_free_port: a random port in 20000-32767 (below Linux's ephemeral
# range, so outgoing connections never take it) that no socket of any
# state holds, per /proc/net/tcp{,6}.  Another starter may still take it
# before lighttpd binds it; gh_stack_up reports that as a bind failure and
# callers pick again.
gh_free_port() {
	local port hex
	for _ in $(seq 1 200); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 12768))
		printf -v hex '%04X' "$port"
		# Column 2 is local_address, "0100007F:1F90"; any state counts.
		if ! awk -v p=":$hex" 'FNR > 1 && substr($2, length($2) - 4) == p \
			{ found = 1 } END { exit !found }' \
			/proc/net/tcp /proc/net/tcp6 2>/dev/null; then
			printf '%s\n' "$port"
			return 0
		fi
	done
	echo "gatehouse: no free port found" >&2
	return 1
}

# gh_stack_dir DIR: makes DIR (mode 750) and gives it to the programs' user.
gh_stack_dir() {
	local dir=$1 user
	user=$(gh_stack_user)
	mkdir -p "$dir"
	chmod 750 "$dir"
	if [ -n "$user" ]; then
		chown "$user:" "$dir"
	fi
}

# gh_stack_reachable PATH WHAT [USER]: fails with a message when USER (by
# default the programs' user; nothing to check when not root) cannot
# reach PATH, e.g. a clone under /root, whose mode is 700.
gh_stack_reachable() {
	local path=$1 what=$2 user=${3:-} d part block=
	[ -n "$user" ] || user=$(gh_stack_user)
	[ -n "$user" ] || return 0
	runuser -u "$user" -- test -r "$path" -a -x "$path" 2>/dev/null && return 0
	# The first directory on the way that the user cannot pass.
	d=
	while IFS= read -r -d / part || [ -n "$part" ]; do
		[ -n "$part" ] || continue
		d="$d/$part"
		if [ -d "$d" ] && ! runuser -u "$user" -- test -x "$d" 2>/dev/null; then
			block=$d
			break
		fi
	done <<<"${path#/}"
	cat >&2 <<EOF
gatehouse: $what ($path) is not reachable by the user "$user".
  As root, gatehouse runs PostgreSQL as "postgres" and lighttpd with the
  programs as "www-data", and both need to reach the checkout.  Put the
  checkout where every user can reach it (e.g. /srv/gatehouse or
  /opt/gatehouse)${block:+, or let others pass ${block}: chmod o+x ${block}}.
EOF
	return 1
}

# gh_stack_config FILE DATABASE_URL SECRET [key=value ...]: writes a
# gatehouse config file for the programs, and beside it
# gatehouse-admin.conf for the `gatehouse` command.  DATABASE_URL is the
# owner's: it goes into gatehouse-admin.conf (admin_database_url, mode
# 600, root's), and FILE gets it without its user= (each program
# connects as its own role; a key=value string only: a URI is kept as it
# is).  Extra arguments are "key=value"
# or "key = value" (a value may be in double quotes); a key given twice
# keeps its last value, and database_url or jwt_secret given there win
# over the positional ones.  FILE is mode 640 and, as root, group-owned by
# the programs' group.
gh_stack_config() {
	local file=$1 url=$2 secret=$3 kv key value user tmp
	local -A vals=()
	local order=()
	shift 3
	gh_stack_admin_config "$(dirname "$file")/gatehouse-admin.conf" \
		"$url" || return 1
	vals[database_url]=$(gh_stack_program_url "$url")
	vals[jwt_secret]=$secret
	order=(database_url jwt_secret)
	for kv in "$@"; do
		case "$kv" in
		*=*) ;;
		*)
			echo "gatehouse: config argument \"$kv\" is not key=value" >&2
			return 1
			;;
		esac
		key=${kv%%=*}
		value=${kv#*=}
		key=${key//[[:space:]]/}
		value=${value#"${value%%[![:space:]]*}"}
		value=${value%"${value##*[![:space:]]}"}
		case "$value" in
		\"*\") value=${value#\"} value=${value%\"} ;;
		esac
		[ -n "$key" ] || continue
		[ -n "${vals[$key]+set}" ] || order+=("$key")
		vals[$key]=$value
	done
	# One role for every program: it must be named.
	case "${vals[database_program_roles]:-}" in
	false | no | off | 0)
		[ "${vals[database_url]}" != "$(gh_stack_program_url "$url")" ] ||
			vals[database_url]=$url
		;;
	esac
	for key in "${order[@]}"; do
		case "${vals[$key]}" in
		*$'\n'* | *$'\r'*)
			echo "gatehouse: config value of $key contains a newline" >&2
			return 1
			;;
		esac
	done
	tmp="$file.tmp.$$"
	(
		umask 027
		echo "# Written by gatehouse's scripts/lib/stack.sh." >"$tmp"
		for key in "${order[@]}"; do
			printf '%s = "%s"\n' "$key" "${vals[$key]}"
		done >>"$tmp"
	)
	chmod 640 "$tmp"
	user=$(gh_stack_user)
	if [ -n "$user" ]; then
		chgrp "$(id -gn "$user")" "$tmp"
	fi
	mv -f "$tmp" "$file"
}

# gh_stack_program_url URL: URL without a user= or password= word (a
# key=value connection string; a URI is printed as it is).
gh_stack_program_url() {
	local w words=()
	case "$1" in
	*://*)
		printf '%s\n' "$1"
		return
		;;
	esac
	for w in $1; do
		case "$w" in
		user=* | password=*) ;;
		*) words+=("$w") ;;
		esac
	done
	printf '%s\n' "${words[*]}"
}

# gh_stack_admin_config FILE OWNER_URL: writes the admin config, which
# only the `gatehouse` command reads: the owner's admin_database_url,
# mode 600, owned by whoever runs this (root: not the programs' user).
gh_stack_admin_config() {
	local file=$1 url=$2 tmp
	case "$url" in
	*$'\n'* | *$'\r'* | *'"'*)
		echo "gatehouse: the database URL contains a newline or a quote" >&2
		return 1
		;;
	esac
	tmp="$file.tmp.$$"
	(
		umask 077
		{
			echo "# Written by gatehouse's scripts/lib/stack.sh: the owner's"
			echo "# credentials, for the gatehouse command alone."
			printf 'admin_database_url = "%s"\n' "$url"
		} >"$tmp"
	)
	chmod 600 "$tmp"
	mv -f "$tmp" "$file"
}

# gh_config_keys EXAMPLE: the keys of etc/gatehouse.conf.example, one a line.
gh_config_keys() {
	sed -n 's/^[[:space:]]*\([a-z_][a-z0-9_]*\)[[:space:]]*=.*/\1/p' "$1"
}

# gh_stack_top: the top of the checkout this file is in.
gh_stack_top() {
	(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
}

# The Content-Security-Policy of /api/docs and /api/openapi.json: nothing
# but this host (lighttpd.conf.example, etc/apache/gatehouse.conf and
# etc/shared-hosting/api/.htaccess send the same).
GH_API_CSP="default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

# gh_lighttpd_api_block API_DIR: the first branch of the routing chain:
# /api/openapi.json and /api/docs (and the files under /api/docs/) as
# files from API_DIR (a build's api/, or share/gatehouse/api), before the
# programs see any /api path; any other /api path stays theirs.
gh_lighttpd_api_block() {
	cat <<EOF
\$HTTP["url"] =~ "^/api/(openapi\\.json|docs(/[A-Za-z0-9._-]*)?)\$" {
	alias.url = (
		"/api/openapi.json" => "$1/openapi.json",
		"/api/docs/" => "$1/docs/",
		"/api/docs" => "$1/docs/index.html",
	)
	setenv.set-response-header = (
		"Content-Security-Policy" => "$GH_API_CSP",
		"X-Content-Type-Options" => "nosniff",
		"Referrer-Policy" => "no-referrer",
	)
}
EOF
}

# gh_lighttpd_conf OUT PORT CGIDIR CONFIGFILE RUNDIR [DOCROOT]: the
# stylesheet served at /auth/gatehouse.css is $GH_STYLESHEET, else the
# checkout's etc/gatehouse.css; /api/openapi.json and /api/docs come
# from $GH_API_DIR (a build's api/) when it is set.
gh_lighttpd_conf() {
	local out=$1 port=$2 cgidir=$3 config=$4 rundir=$5 docroot=${6:-}
	local user login_procs=${GH_LOGIN_PROCS:-2} procs=${GH_PROCS:-4}
	local health_procs=${GH_HEALTH_PROCS:-2} maxkb=${GH_MAX_REQUEST_KB:-2048}
	local wellknown_procs=${GH_WELLKNOWN_PROCS:-2}
	local css=${GH_STYLESHEET:-$(gh_stack_top)/etc/gatehouse.css} p
	local api=${GH_API_DIR:-} first=if
	for p in login register me admin health wellknown; do
		if [ ! -x "$cgidir/$p" ]; then
			echo "gatehouse: $cgidir/$p is missing (run make)" >&2
			return 1
		fi
	done
	if [ -z "$docroot" ]; then
		docroot="$rundir/htdocs"
		mkdir -p "$docroot"
	fi
	user=$(gh_stack_user)
	{
		cat <<EOF
# Written by gatehouse's scripts/lib/stack.sh: one stack on 127.0.0.1:$port.
server.modules += ( "mod_alias", "mod_fastcgi", "mod_setenv" )
server.bind = "127.0.0.1"
server.port = $port
server.document-root = "$docroot"
server.pid-file = "$rundir/lighttpd.pid"
server.errorlog = "$rundir/error.log"
server.upload-dirs = ( "$rundir" )
# KiB; above gatehouse's largest max_body_bytes (1 MiB), so an over-long
# body is refused by gatehouse, with the contract's JSON 413.
server.max-request-size = $maxkb
server.tag = "gatehouse"
index-file.names = ( "index.html" )
mimetype.assign = (
	".html" => "text/html; charset=utf-8",
	".txt" => "text/plain; charset=utf-8",
	".json" => "application/json",
	".css" => "text/css; charset=utf-8",
	".js" => "text/javascript; charset=utf-8",
	".png" => "image/png",
	"" => "application/octet-stream",
)
# The sign-in pages' stylesheet, a static file.
alias.url = ( "/auth/gatehouse.css" => "$css" )
EOF
		if [ -n "$user" ]; then
			printf 'server.username = "%s"\nserver.groupname = "%s"\n' \
				"$user" "$(id -gn "$user")"
		fi
		echo
		echo '# Exact paths first, in one if/else chain, so exactly one'
		echo '# program gets each path; anything else under /api reaches'
		echo '# health, which answers the contract'"'"'s JSON 404.'
		if [ -n "$api" ]; then
			gh_lighttpd_api_block "$api"
			first=else
		fi
		gh_lighttpd_block "$first" '=~' \
			'^/(api/auth/(login|refresh|logout|password(/forgot|/reset)?|revoke)|auth/(login|logout|forgot|reset|account))$' \
			login "$login_procs"
		gh_lighttpd_block 'else' '=~' '^/(api/auth/(register|email/verify)|auth/(register|verify))$' \
			register "$procs"
		gh_lighttpd_block 'else' '=~' '^/api/auth/(me|introspect|email/verify/resend|sessions(/.*)?)$' me \
			"$procs"
		gh_lighttpd_block 'else' '=~' '^/api/admin/' admin "$procs"
		gh_lighttpd_block 'else' '=~' \
			'^/\.well-known/(oauth-authorization-server|jwks\.json)$' \
			wellknown "$wellknown_procs"
		gh_lighttpd_block 'else' '=~' '^(/health|/api|/api/.*)$' health \
			"$health_procs"
	} >"$out.tmp.$$"
	mv -f "$out.tmp.$$" "$out"
}

# gh_lighttpd_block if|else OP PATTERN PROGRAM PROCS [MODE] (uses
# gh_lighttpd_conf's locals cgidir, config and rundir; a caller adding a
# block of its own sets those three itself).  MODE "authorizer" puts the
# program in front of whatever the location serves (bench/run does so).
gh_lighttpd_block() {
	local kw=$1 op=$2 pattern=$3 prog=$4 n=$5 mode=''
	local prefix='' copy='"PATH", "TZ"' v
	[ "$kw" = else ] && prefix='else '
	[ -z "${6:-}" ] || mode=$'\n\t\t"mode" => "'"$6"'",'
	# Sanitizer settings (scripts/check's sanitizer pass), when set.
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -z "${!v+set}" ] || copy="$copy, \"$v\""
	done
	cat <<EOF
${prefix}\$HTTP["url"] $op "$pattern" {
	fastcgi.server = ( "/" => ( "$prog" => (
		"bin-path" => "$cgidir/$prog",
		"socket" => "$rundir/$prog.sock",
		"check-local" => "disable",$mode
		"min-procs" => $n,
		"max-procs" => $n,
		"bin-environment" => ( "GATEHOUSE_CONFIG" => "$config" ),
		"bin-copy-environment" => ( $copy ),
	) ) )
}
EOF
}

# gh_stack_children PID: the PIDs whose parent is PID, one a line.
gh_stack_children() {
	local parent=$1 f stat fields
	for f in /proc/[0-9]*/stat; do
		read -r stat 2>/dev/null <"$f" || continue
		# "pid (comm) state ppid ...": comm may hold spaces and parens.
		read -r -a fields <<<"${stat##*) }"
		if [ "${fields[1]:-}" = "$parent" ]; then
			f=${f#/proc/}
			printf '%s\n' "${f%/stat}"
		fi
	done
}

# gh_port_answers PORT: true when something accepts on 127.0.0.1:PORT.
gh_port_answers() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# gh_stack_up CONF PORT RUNDIR [TIMEOUT]: starts `lighttpd -D -f CONF` in
# the background and waits (TIMEOUT seconds, default 30) until it answers
# on PORT (lighttpd spawns every program before it listens).  Sets
# GH_STACK_PID and notes how to find the programs in RUNDIR/stack.  On
# failure it prints the error log's tail, stops what it started and
# returns 1; returns 2 when the port was taken (pick another, retry).
gh_stack_up() {
	local conf=$1 port=$2 rundir=$3 timeout=${4:-30} bin pid
	GH_STACK_PID=
	bin=$(command -v lighttpd || echo /usr/sbin/lighttpd)
	if [ ! -x "$bin" ]; then
		echo "gatehouse: lighttpd is not installed (apt-get install lighttpd)" >&2
		return 1
	fi
	"$bin" -tt -f "$conf" >"$rundir/configtest.log" 2>&1 || {
		echo "gatehouse: lighttpd refuses $conf:" >&2
		cat "$rundir/configtest.log" >&2
		return 1
	}
	: >"$rundir/error.log"
	: >"$rundir/lighttpd.out"
	gh_stack_chown "$rundir/error.log"
	# Its own session, so a Ctrl-C meant for the caller does not reach
	# lighttpd and the programs, which the caller stops in order.  (A
	# shell with job control gives background jobs their own process
	# group already; setsid would fork there, hiding lighttpd's PID.)
	if [[ $- == *m* ]]; then
		"$bin" -D -f "$conf" </dev/null >>"$rundir/lighttpd.out" 2>&1 &
	else
		setsid "$bin" -D -f "$conf" </dev/null >>"$rundir/lighttpd.out" 2>&1 &
	fi
	pid=$!
	for _ in $(seq 1 $((timeout * 10))); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null || true
			gh_stack_reap "$rundir" || true
			if grep -q 'Address already in use' "$rundir/error.log" \
				"$rundir/lighttpd.out" 2>/dev/null; then
				return 2
			fi
			echo "gatehouse: lighttpd exited at start-up:" >&2
			tail -n 30 "$rundir/lighttpd.out" "$rundir/error.log" >&2
			return 1
		fi
		if gh_port_answers "$port"; then
			sleep 0.1
			if kill -0 "$pid" 2>/dev/null; then
				gh_stack_record "$conf" "$rundir"
				GH_STACK_PID=$pid
				return 0
			fi
		fi
		sleep 0.1
	done
	echo "gatehouse: lighttpd did not answer on 127.0.0.1:$port within ${timeout}s:" >&2
	tail -n 30 "$rundir/lighttpd.out" "$rundir/error.log" >&2
	gh_stack_down "$pid" "$rundir"
	return 1
}

gh_stack_chown() {
	local user
	user=$(gh_stack_user)
	if [ -n "$user" ]; then
		chown "$user:" "$1"
	fi
}

# gh_stack_record CONF RUNDIR: notes what identifies the stack's programs
# in RUNDIR/stack: their directory and their GATEHOUSE_CONFIG, from CONF.
gh_stack_record() {
	local bin cfg
	bin=$(sed -n 's/.*"bin-path" => "\(.*\)",.*/\1/p; T; q' "$1")
	cfg=$(sed -n 's/.*"GATEHOUSE_CONFIG" => "\([^"]*\)".*/\1/p; T; q' "$1")
	printf '%s\n%s\n' "$(dirname "$bin")" "$cfg" >"$2/stack"
}

# gh_stack_program_pids PID RUNDIR: the live programs of a stack: PID's
# children, and every process running a program of the stack's directory
# with the stack's GATEHOUSE_CONFIG (lighttpd may be gone already, and
# may have respawned one just before it went, leaving it to init).
gh_stack_program_pids() {
	local pid=$1 rundir=$2 dir cfg f k exe
	{
		if [ -n "$pid" ]; then
			gh_stack_children "$pid"
		fi
		if [ -n "$rundir" ] && [ -f "$rundir/stack" ]; then
			{ read -r dir && read -r cfg; } <"$rundir/stack" || return 0
			[ -n "$dir" ] && [ -n "$cfg" ] || return 0
			grep -lzxF -- "GATEHOUSE_CONFIG=$cfg" /proc/[0-9]*/environ \
				2>/dev/null | while IFS= read -r f; do
				k=${f#/proc/}
				k=${k%/environ}
				exe=$(readlink "/proc/$k/exe" 2>/dev/null) || continue
				if [ "${exe%/*}" = "$dir" ]; then
					printf '%s\n' "$k"
				fi
			done
		fi
	} | sort -u
}

# gh_stack_reap RUNDIR [PID...]: waits up to GH_STACK_REAP_SECONDS
# (default 10; programs under valgrind need longer) for the given PIDs
# and the stack's programs (see gh_stack_program_pids) to go, then kills
# leftovers.
gh_stack_reap() {
	local rundir=$1 kids=() alive=() k
	shift
	mapfile -t kids < <({
		[ "$#" -eq 0 ] || printf '%s\n' "$@"
		gh_stack_program_pids "" "$rundir"
	} | sort -u)
	for _ in $(seq 1 $((${GH_STACK_REAP_SECONDS:-10} * 10))); do
		alive=()
		for k in "${kids[@]}"; do
			kill -0 "$k" 2>/dev/null && alive+=("$k")
		done
		[ "${#alive[@]}" -eq 0 ] && break
		sleep 0.1
	done
	if [ "${#alive[@]}" -gt 0 ]; then
		echo "gatehouse: programs still running after lighttpd: ${alive[*]}; killing them" >&2
		kill -KILL "${alive[@]}" 2>/dev/null || true
		return 1
	fi
	return 0
}

# gh_stack_down [PID [RUNDIR]]: stops lighttpd (default GH_STACK_PID) by
# PID and waits until it and every program it spawned are gone; a
# program still there after GH_STACK_REAP_SECONDS (10) is killed by its
# PID and reported (status 1).
gh_stack_down() {
	local pid=${1:-${GH_STACK_PID:-}} rundir=${2:-} kids=() rc=0
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		mapfile -t kids < <(gh_stack_program_pids "$pid" "$rundir")
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "gatehouse: lighttpd ($pid) ignored SIGTERM; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	fi
	if [ -n "$rundir" ]; then
		gh_stack_reap "$rundir" "${kids[@]}" || rc=1
		rm -f "$rundir"/*.sock-* "$rundir/stack" 2>/dev/null || true
	elif [ "${#kids[@]}" -gt 0 ]; then
		gh_stack_reap /nonexistent "${kids[@]}" || rc=1
	fi
	if [ -n "$pid" ] && [ "$pid" = "${GH_STACK_PID:-}" ]; then
		GH_STACK_PID=
	fi
	return "$rc"
}
