#!/usr/bin/python3
"""Reconnect: node 1's `me` processes hold a session in their cache; their
database connections are terminated on the primary (pg_terminate_backend
of exactly those backends, found by the processes' client ports); while
the connections are away the session is ended through node 2; the next
requests on node 1 must answer 401 (a process that reconnects must not
trust what it cached on the old connection), and a session still alive
must go on answering 200 (the processes reconnect, no 503 for good).

Two ways the processes learn of it, each several rounds: idle (they see
the connection close while they wait for a request), and stopped (SIGSTOP
before the termination, the requests queued, then SIGCONT: the request
and the closed connection arrive together, and the request is served
first).
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gh_cluster as g  # noqa: E402

PROCS = int(os.environ.get("GH_PROCS", "3"))
ROUNDS = int(os.environ.get("GH_RECONNECT_ROUNDS", "6"))


def socket_ports(pid):
    """The local TCP ports of PID's sockets (their client ports)."""
    inodes = set()
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            link = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    ports = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            next(f)
            for line in f:
                cols = line.split()
                if cols[9] in inodes:
                    ports.append(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


def backends_of(c, pids):
    """The primary's backends serving PIDs: [(backend pid, client port)]."""
    ports = sorted(p for pid in pids for p in socket_ports(pid))
    if not ports:
        return []
    rows = c.sql("SELECT pid, client_port FROM pg_stat_activity "
                 "WHERE client_port IN (%s) AND client_addr = '127.0.0.1'"
                 % ",".join(str(p) for p in ports))
    return [tuple(int(x) for x in r.split("|")) for r in rows]


def me_all(base, token, n=PROCS * 2):
    return [r[0] if not isinstance(r, Exception) else r for r in g.parallel(
        [lambda: g.request(base, "GET", "/api/auth/me", token=token)
         for _ in range(n)])]


def warm(base, token):
    for _ in range(2):
        got = me_all(base, token)
        if any(st != 200 for st in got):
            g.fail("warming %s: %r" % (base, got))


def round_(c, n, stopped, victim, pw, keeper):
    node1, node2 = c.nodes[0], c.nodes[1]
    t = g.login(node2, victim, pw)
    pids = c.program_pids(1, "me")
    if len(pids) != PROCS:
        g.fail("node 1 has %d me processes, not %d" % (len(pids), PROCS))
    # Until every process has answered (each has its connection then;
    # lighttpd hands concurrent requests to the least busy process).
    for _ in range(10):
        warm(node1, t)
        warm(node1, keeper)
        before = backends_of(c, pids)
        if len(before) == len(pids):
            break
    if len(before) != len(pids):
        g.fail("round %d: %d backends for %d me processes: %r" %
               (n, len(before), len(pids), before))
    if stopped:
        for p in pids:
            os.kill(p, signal.SIGSTOP)
    try:
        rows = c.sql("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                     " FROM pg_stat_activity WHERE pid IN (%s)" %
                     ",".join(str(b) for b, _ in before))
        if rows != [str(len(before))]:
            g.fail("round %d: terminated %r of %d backends" %
                   (n, rows, len(before)))
        # Gone for sure before the logout is made.
        for _ in range(100):
            left = c.sql("SELECT count(*) FROM pg_stat_activity WHERE pid IN"
                         " (%s)" % ",".join(str(b) for b, _ in before))
            if left == ["0"]:
                break
            time.sleep(0.05)
        st, _, _ = g.request(node2, "POST", "/api/auth/logout", {}, token=t)
        if st != 204:
            g.fail("logout through node 2: %d" % st)
        if stopped:
            # Requests queued at the stopped processes, then they go on.
            import threading
            res = []
            th = threading.Thread(target=lambda: res.extend(me_all(node1, t)))
            th.start()
            time.sleep(0.3)
            for p in pids:
                os.kill(p, signal.SIGCONT)
            th.join()
            got = res
        else:
            time.sleep(0.2)
            got = me_all(node1, t)
    finally:
        if stopped:
            for p in pids:
                try:
                    os.kill(p, signal.SIGCONT)
                except ProcessLookupError:
                    pass
    if any(st != 401 for st in got):
        g.fail("round %d (%s): the ended session on node 1 answered %r, "
               "not 401 each" % (n, "stopped" if stopped else "idle", got))
    kept = me_all(node1, keeper)
    if any(st != 200 for st in kept):
        g.fail("round %d: a live session on node 1 answered %r after the "
               "reconnect, not 200 each" % (n, kept))
    after = backends_of(c, pids)
    if not after or set(after) & set(before):
        g.fail("round %d: node 1's me processes did not reconnect: before "
               "%r, after %r" % (n, before, after))
    return len(got)


def main():
    with g.Cluster(nodes=2) as c:
        admin = c.admin_token()
        pw = "Victim-pass-0"
        for name in ("victim", "keeper"):
            st, _, body = g.request(c.nodes[0], "POST", "/api/admin/users",
                                    {"username": name, "password": pw},
                                    token=admin)
            if st != 201:
                g.fail("creating %s: %d %r" % (name, st, body))
        keeper = g.login(c.nodes[1], "keeper", pw)
        answers = 0
        for n in range(ROUNDS):
            answers += round_(c, n, n % 2 == 1, "victim", pw, keeper)
    g.log("%d rounds (%d idle, %d stopped): node 1's me processes "
          "reconnected each time, %d requests with the ended session all "
          "401" % (ROUNDS, (ROUNDS + 1) // 2, ROUNDS // 2, answers))


if __name__ == "__main__":
    main()
