# Private PostgreSQL clusters for gatehouse's scripts and tests: a data
# directory and a unix socket under one directory, no TCP, no system
# service.  initdb and postgres refuse to run as root, so as root they run
# as the "postgres" user (Debian's postgresql package makes it).
# Source this file; it defines functions and sets nothing else.

gh_pg_bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$d" ]; then
		echo "gatehouse: no PostgreSQL server found (apt-get install postgresql)" >&2
		return 1
	fi
	printf '%s\n' "$d"
}

# Runs a command as the cluster's owner.
gh_pg_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# gh_pg_init DIR: makes DIR/data (if absent) owned by the cluster's owner.
gh_pg_init() {
	local dir=$1 bin
	bin=$(gh_pg_bindir) || return 1
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$dir"
	fi
	chmod 755 "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		gh_pg_as_owner "$bin/initdb" -D "$dir/data" -U gatehouse \
			--auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
			cat "$dir/initdb.log" >&2
			return 1
		}
	fi
}

# gh_pg_start DIR [extra postgres options]: starts the cluster, socket in DIR.
gh_pg_start() {
	local dir=$1 bin
	shift
	bin=$(gh_pg_bindir) || return 1
	gh_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
		-o "-c listen_addresses='' -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 $*" \
		start >/dev/null || {
		tail -n 20 "$dir/postgres.log" >&2
		return 1
	}
}

# gh_pg_pid DIR: the postmaster's PID, from its pid file.
gh_pg_pid() {
	head -n 1 "$1/data/postmaster.pid" 2>/dev/null
}

# gh_pg_stop DIR: stops the cluster by its PID and waits for it to go.
gh_pg_stop() {
	local dir=$1 pid i
	pid=$(gh_pg_pid "$dir") || return 0
	[ -n "$pid" ] || return 0
	kill -INT "$pid" 2>/dev/null || return 0
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# gh_pg_url DIR [DBNAME]: a libpq connection string for the cluster.
gh_pg_url() {
	printf 'host=%s user=gatehouse dbname=%s\n' "$1" "${2:-postgres}"
}
