# shellcheck shell=bash
# gatehouse under Apache 2.4 and mod_fcgid (Debian's apache2 and
# libapache2-mod-fcgid), for scripts/quickstart (SERVER=apache) and
# tests/with-stack (GH_TEST_SERVER=apache or shared): a private server
# with its own ServerRoot, config, logs, sockets and PID under RUNDIR,
# never the system's /etc/apache2 or its service.  Source scripts/lib/
# stack.sh first (this file uses its gh_stack_user, gh_stack_children and
# gh_port_answers).  Every function is safe under `set -euo pipefail`.
#
#   GH_APACHE_DEPS                     the Debian packages this needs
#   gh_apache_bin                      the apache2 binary (fails with a hint)
#   gh_apache_conf OUT PORT CGIDIR CONFIGFILE RUNDIR DOCROOT
#                                      a server serving the API the way
#                                      etc/apache/gatehouse.conf says
#   gh_apache_htaccess_conf OUT PORT RUNDIR DOCROOT
#                                      shared hosting: a server whose own
#                                      config names no gatehouse path, only
#                                      AllowOverride on DOCROOT
#   gh_apache_up CONF PORT RUNDIR [TIMEOUT]
#                                      starts `apache2 -f CONF -DFOREGROUND`,
#                                      sets GH_STACK_PID; 2: port taken
#   gh_apache_program_pids PID RUNDIR  the server's processes below PID and
#                                      the stack's programs
#   gh_apache_down [PID [RUNDIR]]      stops it by PID and waits for its
#                                      children and the FastCGI programs
#
# Pool sizes as for lighttpd: GH_LOGIN_PROCS (default 2), GH_PROCS
# (default 4: register, me, admin), GH_HEALTH_PROCS (default 2),
# GH_WELLKNOWN_PROCS (default 2), GH_AUTHORIZE_PROCS (default 2).  GH_APACHE_AUTHORIZER=1 adds the
# authorizer's example locations (/members/, /staff/; see
# etc/apache/gatehouse.conf) with a CGI directory under each.
#
# Facts this relies on (Apache 2.4 and mod_fcgid 2.3.9, checked): the
# parent process stays in the foreground with -DFOREGROUND and is the PID
# we start; it binds the port before it forks its children; mod_fcgid
# spawns a program at the first request of its class, not at start-up,
# from a process manager that is a child of the parent; the programs'
# stderr goes to the ErrorLog; on SIGTERM the parent stops its children
# and the process manager sends the programs SIGTERM.

GH_APACHE_DEPS="apache2 libapache2-mod-fcgid"

gh_apache_bin() {
	local bin
	bin=$(command -v apache2 2>/dev/null || echo /usr/sbin/apache2)
	if [ ! -x "$bin" ] || [ ! -f /usr/lib/apache2/modules/mod_fcgid.so ]; then
		echo "gatehouse: Apache with mod_fcgid is not installed" \
			"(apt-get install $GH_APACHE_DEPS)" >&2
		return 1
	fi
	printf '%s\n' "$bin"
}

# The top of the checkout, for etc/apache/gatehouse.conf.
gh_apache_top() {
	(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
}

# gh_apache_server_conf PORT RUNDIR DOCROOT: the part every private
# server shares: modules, where its files go, the port, the document root.
gh_apache_server_conf() {
	local port=$1 rundir=$2 docroot=$3 user m
	local mods=/usr/lib/apache2/modules
	user=$(gh_stack_user)
	cat <<EOF
# Written by gatehouse's scripts/lib/apache.sh: one server on 127.0.0.1:$port,
# everything it writes under $rundir.
ServerRoot "$rundir"
DefaultRuntimeDir "$rundir"
PidFile "$rundir/apache.pid"
ErrorLog "$rundir/error.log"
LogLevel warn
LogFormat "%h \"%r\" %>s %b %D" gatehouse
CustomLog "$rundir/access.log" gatehouse
Listen 127.0.0.1:$port
ServerName 127.0.0.1
ServerTokens Prod
ServerSignature Off
EOF
	if [ -n "$user" ]; then
		printf 'User %s\nGroup %s\n' "$user" "$(id -gn "$user")"
	fi
	for m in mpm_event authz_core mime dir alias rewrite headers cgid fcgid; do
		printf 'LoadModule %s_module %s/mod_%s.so\n' "$m" "$mods" "$m"
	done
	cat <<EOF
StartServers 1
ServerLimit 4
ThreadsPerChild 25
MaxRequestWorkers 100
MinSpareThreads 5
MaxSpareThreads 50
TypesConfig /etc/mime.types
AddType "text/plain; charset=utf-8" .txt
ScriptSock "$rundir/cgid.sock"
FcgidIPCDir "$rundir/fcgid"
FcgidProcessTableFile "$rundir/fcgid.shm"
DocumentRoot "$docroot"
DirectoryIndex index.html
<Directory />
	Options None
	AllowOverride None
	Require all denied
</Directory>
<FilesMatch "^\\.ht">
	Require all denied
</FilesMatch>
EOF
}

# gh_apache_conf OUT PORT CGIDIR CONFIGFILE RUNDIR DOCROOT: the API served
# by etc/apache/gatehouse.conf itself, its Define'd paths and pools set
# for this stack (sanitizer settings, when set, added to each program's
# environment).
gh_apache_conf() {
	local out=$1 port=$2 cgidir=$3 config=$4 rundir=$5 docroot=$6
	local snippet extra='' v p
	snippet="$(gh_apache_top)/etc/apache/gatehouse.conf"
	for p in login register me admin health wellknown authorize \
		authorize-admin; do
		if [ ! -x "$cgidir/$p" ]; then
			echo "gatehouse: $cgidir/$p is missing (run make)" >&2
			return 1
		fi
	done
	# The example /app/ location's pool: a path of its own for mod_fcgid
	# (a name not starting "authorize-", which would name a role).
	if [ "${GH_APACHE_AUTHORIZER:-0}" = 1 ]; then
		ln -sfn authorize "$cgidir/app-authorize" || return 1
	fi
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -z "${!v:-}" ] || extra="$extra InitialEnv $v=${!v}"
	done
	# The programs' environment is the config file's name only (and the
	# sanitizer settings): FcgidCmdOptions replaces FcgidInitialEnv.
	sed -e "s|\(InitialEnv GATEHOUSE_CONFIG=\${GATEHOUSE_CONFIG_FILE}\)|\1$extra|" \
		"$snippet" >"$rundir/gatehouse-apache.conf"
	{
		gh_apache_server_conf "$port" "$rundir" "$docroot"
		cat <<EOF
<Directory "$docroot">
	Require all granted
</Directory>

# etc/apache/gatehouse.conf, with this stack's paths and pools.
Define GATEHOUSE_PROGRAMS "$cgidir"
Define GATEHOUSE_CONFIG_FILE "$config"
Define GATEHOUSE_SHARE "$(gh_apache_top)/etc"
Define GATEHOUSE_LOGIN_PROCS ${GH_LOGIN_PROCS:-2}
Define GATEHOUSE_PROCS ${GH_PROCS:-4}
Define GATEHOUSE_HEALTH_PROCS ${GH_HEALTH_PROCS:-2}
Define GATEHOUSE_WELLKNOWN_PROCS ${GH_WELLKNOWN_PROCS:-2}
Define GATEHOUSE_AUTHORIZE_PROCS ${GH_AUTHORIZE_PROCS:-2}
EOF
		# /api/openapi.json and /api/docs: a build's api/ (GH_API_DIR).
		[ -z "${GH_API_DIR:-}" ] ||
			printf 'Define GATEHOUSE_API "%s"\n' "$GH_API_DIR"
		if [ "${GH_APACHE_AUTHORIZER:-0}" = 1 ]; then
			cat <<EOF
Define GATEHOUSE_EXAMPLE_LOCATIONS
# The protected locations' CGI scripts (tests/with-stack's members/cgi/,
# staff/cgi/ and app/cgi/), under mod_cgid.
<DirectoryMatch "^$docroot/(members|staff|app)/cgi/">
	Options +ExecCGI
	AddHandler cgi-script .sh
</DirectoryMatch>
EOF
		fi
		printf 'Include "%s"\n' "$rundir/gatehouse-apache.conf"
	} >"$out.tmp.$$"
	mv -f "$out.tmp.$$" "$out"
	mkdir -p "$rundir/fcgid"
}

# gh_apache_htaccess_conf OUT PORT RUNDIR DOCROOT: shared hosting as a
# host sets it up: modules loaded, AllowOverride on the document root,
# mod_fcgid's defaults; nothing names gatehouse.  The account's files
# (DOCROOT/.htaccess, DOCROOT/cgi-bin/ with its .htaccess, the programs
# and gatehouse.conf) configure the rest.
gh_apache_htaccess_conf() {
	local out=$1 port=$2 rundir=$3 docroot=$4
	{
		gh_apache_server_conf "$port" "$rundir" "$docroot"
		cat <<EOF
<Directory "$docroot">
	AllowOverride AuthConfig FileInfo Indexes Limit Options=ExecCGI,Indexes,FollowSymLinks,SymLinksIfOwnerMatch
	Options SymLinksIfOwnerMatch
	Require all granted
</Directory>
EOF
	} >"$out.tmp.$$"
	mv -f "$out.tmp.$$" "$out"
	mkdir -p "$rundir/fcgid"
}

# gh_apache_htaccess_authorizer DOCROOT: the authorizer as
# etc/shared-hosting/README.md tells an account to set it up, in front of
# tests/with-stack's /members/ (authorize) and /staff/ (a copy named
# authorize-admin).  /app/ stays unguarded and its tests skip: an
# audience needs the program's environment, which only the server's
# config sets.
gh_apache_htaccess_authorizer() {
	local docroot=$1 d prog
	cp "$docroot/cgi-bin/authorize" "$docroot/cgi-bin/authorize-admin"
	for d in members staff; do
		prog=authorize
		[ "$d" = staff ] && prog=authorize-admin
		cat >"$docroot/$d/.htaccess" <<EOF
FcgidAccessChecker "$docroot/cgi-bin/$prog"
ErrorDocument 401 /cgi-bin/$prog
CGIPassAuth On
<IfModule headers_module>
	Header always unset Variable-GATEHOUSE_USER_ID
	Header always unset Variable-GATEHOUSE_USERNAME
	Header always unset Variable-GATEHOUSE_ROLES
</IfModule>
EOF
		printf 'Options +ExecCGI\nAddHandler cgi-script .sh\n' >"$docroot/$d/cgi/.htaccess"
	done
}

# gh_apache_descendants PID: every process below PID, one a line.
gh_apache_descendants() {
	local queue=("$1") p k
	while [ "${#queue[@]}" -gt 0 ]; do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		while IFS= read -r k; do
			[ -n "$k" ] || continue
			printf '%s\n' "$k"
			queue+=("$k")
		done < <(gh_stack_children "$p")
	done
}

# gh_apache_program_pids PID RUNDIR: the processes below PID, and any
# process still running a program of RUNDIR/stack's directory (line 1)
# with its config (line 2: the GATEHOUSE_CONFIG in its environment, or
# "-" when the directory is the stack's own, as in shared hosting).
gh_apache_program_pids() {
	local pid=$1 rundir=$2 dir cfg f k exe
	{
		[ -z "$pid" ] || gh_apache_descendants "$pid"
		if [ -n "$rundir" ] && [ -f "$rundir/stack" ]; then
			{ read -r dir && read -r cfg; } <"$rundir/stack" || return 0
			[ -n "$dir" ] && [ -n "$cfg" ] || return 0
			for f in /proc/[0-9]*/exe; do
				exe=$(readlink "$f" 2>/dev/null) || continue
				[ "${exe%/*}" = "$dir" ] || continue
				k=${f#/proc/}
				k=${k%/exe}
				if [ "$cfg" = - ] || grep -qzxF -- "GATEHOUSE_CONFIG=$cfg" \
					"/proc/$k/environ" 2>/dev/null; then
					printf '%s\n' "$k"
				fi
			done
		fi
	} | sort -u
}

# gh_apache_up CONF PORT RUNDIR [TIMEOUT]: checks CONF, starts the server
# in the foreground of a session of its own, waits (TIMEOUT seconds,
# default 30) until it answers on PORT.  Sets GH_STACK_PID.  Returns 2
# when the port was taken (pick another and retry), 1 on other failures
# (with the log's tail), having stopped what it started.
gh_apache_up() {
	local conf=$1 port=$2 rundir=$3 timeout=${4:-30} bin pid cgidir cfg
	GH_STACK_PID=
	bin=$(gh_apache_bin) || return 1
	"$bin" -t -f "$conf" >"$rundir/configtest.log" 2>&1 || {
		echo "gatehouse: apache2 refuses $conf:" >&2
		cat "$rundir/configtest.log" >&2
		return 1
	}
	: >"$rundir/error.log"
	: >"$rundir/apache.out"
	gh_stack_chown "$rundir/fcgid"
	# What identifies the stack's programs once the server is gone.
	cgidir=$(sed -n 's/^Define GATEHOUSE_PROGRAMS "\(.*\)"$/\1/p' "$conf")
	cfg=$(sed -n 's/^Define GATEHOUSE_CONFIG_FILE "\(.*\)"$/\1/p' "$conf")
	if [ -n "$cgidir" ]; then
		printf '%s\n%s\n' "$cgidir" "$cfg" >"$rundir/stack"
	elif [ -n "${GH_APACHE_CGIDIR:-}" ]; then
		printf '%s\n-\n' "$GH_APACHE_CGIDIR" >"$rundir/stack"
	fi
	if [[ $- == *m* ]]; then
		"$bin" -f "$conf" -DFOREGROUND </dev/null >>"$rundir/apache.out" 2>&1 &
	else
		setsid "$bin" -f "$conf" -DFOREGROUND </dev/null >>"$rundir/apache.out" 2>&1 &
	fi
	pid=$!
	for _ in $(seq 1 $((timeout * 10))); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null || true
			if grep -q 'Address already in use' "$rundir/error.log" \
				"$rundir/apache.out" 2>/dev/null; then
				return 2
			fi
			echo "gatehouse: apache2 exited at start-up:" >&2
			tail -n 30 "$rundir/apache.out" "$rundir/error.log" >&2
			return 1
		fi
		if gh_port_answers "$port"; then
			GH_STACK_PID=$pid
			return 0
		fi
		sleep 0.1
	done
	echo "gatehouse: apache2 did not answer on 127.0.0.1:$port within ${timeout}s:" >&2
	tail -n 30 "$rundir/apache.out" "$rundir/error.log" >&2
	gh_apache_down "$pid" "$rundir"
	return 1
}

# gh_apache_down [PID [RUNDIR]]: SIGTERM to the server (default
# GH_STACK_PID), then waits up to GH_STACK_REAP_SECONDS (10) for it, its
# children and the stack's programs to go; what is left is killed by PID
# and reported (status 1).
gh_apache_down() {
	local pid=${1:-${GH_STACK_PID:-}} rundir=${2:-} kids=() alive=() k rc=0
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		mapfile -t kids < <(gh_apache_program_pids "$pid" "$rundir")
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "gatehouse: apache2 ($pid) ignored SIGTERM; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	fi
	mapfile -t kids < <({
		[ "${#kids[@]}" -eq 0 ] || printf '%s\n' "${kids[@]}"
		[ -z "$rundir" ] || gh_apache_program_pids "" "$rundir"
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
		echo "gatehouse: processes still running after apache2: ${alive[*]}; killing them" >&2
		kill -KILL "${alive[@]}" 2>/dev/null || true
		rc=1
	fi
	[ -z "$rundir" ] || rm -f "$rundir/stack" "$rundir/cgid.sock" 2>/dev/null || true
	if [ -n "$pid" ] && [ "$pid" = "${GH_STACK_PID:-}" ]; then
		GH_STACK_PID=
	fi
	return "$rc"
}

# gh_apache_test_up SERVER RUNDIR CGIDIR CONFIGFILE DOCROOT: tests/
# with-stack's Apache, on a free port (picked again when another stack
# takes it first).  SERVER "apache": the API by etc/apache/gatehouse.conf
# (with the authorizer's example locations when GH_APACHE_AUTHORIZER=1).
# SERVER "shared": the programs, CONFIGFILE as gatehouse.conf beside them,
# and etc/shared-hosting's .htaccess files copied into DOCROOT, a server
# that names none of them (gh_apache_htaccess_conf).  GH_STACK_ON_PORT,
# when set, is a command run with each port tried before the server
# starts (and, for "shared", before CONFIGFILE is copied).  Sets GH_STACK_PID
# and GH_STACK_PORT; RUNDIR/lighttpd.out is a link to the error log,
# where the programs' stderr goes, for the tests that read it there.
gh_apache_test_up() {
	local server=$1 rundir=$2 cgidir=$3 config=$4 docroot=$5 top p
	local port rc attempt user GH_APACHE_CGIDIR=
	top=$(gh_apache_top)
	GH_STACK_PORT=
	if [ "$server" = shared ]; then
		mkdir -p "$docroot/cgi-bin"
		for p in login register me admin health wellknown authorize; do
			cp -L "$cgidir/$p" "$docroot/cgi-bin/$p"
		done
		cp "$top/etc/shared-hosting/.htaccess" "$docroot/.htaccess"
		cp "$top/etc/shared-hosting/cgi-bin/.htaccess" "$docroot/cgi-bin/.htaccess"
		if [ "${GH_APACHE_AUTHORIZER:-0}" = 1 ]; then
			gh_apache_htaccess_authorizer "$docroot"
		fi
		mkdir -p "$docroot/auth"
		cp "$top/etc/gatehouse.css" "$docroot/auth/gatehouse.css"
		# openapi.json and the docs page, uploaded as api/ with its
		# .htaccess (etc/shared-hosting/README.md).
		if [ -n "${GH_API_DIR:-}" ]; then
			mkdir -p "$docroot/api"
			cp -R "$GH_API_DIR/." "$docroot/api/"
			rm -f "$docroot/api/docs/.stamp"
			cp "$top/etc/shared-hosting/api/.htaccess" "$docroot/api/.htaccess"
		fi
		if [ "${GH_APACHE_AUTHORIZER:-0}" = 1 ]; then
			gh_apache_htaccess_authorizer "$docroot"
		fi
		chmod -R a+rX "$docroot"
		GH_APACHE_CGIDIR="$docroot/cgi-bin"
	fi
	ln -sfn error.log "$rundir/lighttpd.out"
	for attempt in 1 2 3 4 5 6 7 8; do
		port=$(gh_free_port) || return 1
		# The caller's last word on CONFIGFILE, which may name the port.
		[ -z "${GH_STACK_ON_PORT:-}" ] || "$GH_STACK_ON_PORT" "$port" ||
			return 1
		if [ "$server" = shared ]; then
			cp "$config" "$docroot/cgi-bin/gatehouse.conf"
			chmod 640 "$docroot/cgi-bin/gatehouse.conf"
			user=$(gh_stack_user)
			[ -z "$user" ] ||
				chgrp "$(id -gn "$user")" "$docroot/cgi-bin/gatehouse.conf"
			gh_apache_htaccess_conf "$rundir/apache.conf" "$port" "$rundir" "$docroot"
		else
			gh_apache_conf "$rundir/apache.conf" "$port" "$cgidir" "$config" \
				"$rundir" "$docroot" || return 1
		fi
		rc=0
		gh_apache_up "$rundir/apache.conf" "$port" "$rundir" || rc=$?
		[ "$rc" -eq 2 ] && continue
		[ "$rc" -eq 0 ] || return 1
		# shellcheck disable=SC2034  # the caller's
		GH_STACK_PORT=$port
		return 0
	done
	echo "gatehouse: no free port for apache2 after $attempt attempts" >&2
	return 1
}
