#!/usr/bin/python3
"""Too few database connections: three nodes whose pools together want
more connections than the primary's max_connections allows (less its
superuser_reserved_connections).  Every program of every node is asked at
once, several rounds: each answer is the endpoint's own (200, 201, 401)
or 503 with Retry-After, never 500 and never a hang; some are 503 (the
shortage is real).  Then node 3 is stopped, which frees its connections,
and every request on nodes 1 and 2 answers as normal again.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gh_cluster as g  # noqa: E402

LOGIN = int(os.environ.get("GH_LOGIN_PROCS", "2"))
PROCS = int(os.environ.get("GH_PROCS", "3"))
HEALTH = int(os.environ.get("GH_HEALTH_PROCS", "1"))
WELLKNOWN = int(os.environ.get("GH_WELLKNOWN_PROCS", "1"))
PER_NODE = LOGIN + 3 * PROCS + HEALTH + WELLKNOWN
RESERVED = 3        # PostgreSQL's superuser_reserved_connections
# Room for two nodes' pools and no more: three nodes are short.
MAXCONN = RESERVED + 2 * PER_NODE + PER_NODE // 2
REQ_TIMEOUT = 30
serial = [0]


def calls(base, token, pw):
    """One request for every process of every program of a node."""
    out = []

    def add(n, what, fn):
        for _ in range(n):
            out.append((base, what, fn))

    def reg():
        serial[0] += 1
        return g.request(base, "POST", "/api/auth/register",
                         {"username": "reg%05d" % serial[0],
                          "password": "Register-pass-0"},
                         timeout=REQ_TIMEOUT)

    add(LOGIN, "login", lambda: g.request(
        base, "POST", "/api/auth/login",
        {"username": "root-admin", "password": pw}, timeout=REQ_TIMEOUT))
    add(PROCS, "register", reg)
    add(PROCS, "me", lambda: g.request(base, "GET", "/api/auth/me",
                                       token=token, timeout=REQ_TIMEOUT))
    add(PROCS, "admin", lambda: g.request(
        base, "GET", "/api/admin/dashboard", token=token,
        timeout=REQ_TIMEOUT))
    add(HEALTH, "health", lambda: g.request(base, "GET", "/health",
                                            timeout=REQ_TIMEOUT))
    return out


NORMAL = {"login": 200, "register": 201, "me": 200, "admin": 200,
          "health": 200}


def blast(nodes, token, pw, rounds):
    """Rounds of concurrent requests to every program of NODES:
    {(what, status): count}; fails on a 500, a hang, a 503 without
    Retry-After, or any other answer."""
    seen = {}
    for _ in range(rounds):
        cs = [c for base in nodes for c in calls(base, token, pw)]
        res = g.parallel([fn for _, _, fn in cs])
        for (base, what, _), r in zip(cs, res):
            if isinstance(r, Exception):
                g.fail("%s on %s: no answer: %r" % (what, base, r))
            st, hdrs, body = r
            if st == 503:
                if not hdrs.get("retry-after", "").isdigit():
                    g.fail("%s on %s: 503 without Retry-After: %r" %
                           (what, base, hdrs))
            elif st != NORMAL[what]:
                g.fail("%s on %s answered %d: %r" % (what, base, st, body))
            seen[(what, st)] = seen.get((what, st), 0) + 1
    return seen


def show(seen):
    return ", ".join("%s %d: %d" % (w, s, n) for (w, s), n in
                     sorted(seen.items()))


def main():
    with g.Cluster(nodes=3, maxconn=MAXCONN) as c:
        token = c.admin_token()
        pw = g.ADMIN_PASSWORD
        short = blast(c.nodes, token, pw, 4)
        n503 = sum(n for (_, s), n in short.items() if s == 503)
        used = c.sql("SELECT count(*) FROM pg_stat_activity "
                     "WHERE usename <> 'gatehouse' AND backend_type = "
                     "'client backend'")[0]
        g.log("max_connections %d, 3 nodes of %d connections: %s "
              "(programs' backends: %s)" % (MAXCONN, PER_NODE, show(short),
                                            used))
        if n503 == 0:
            g.fail("no 503 although the pools want %d connections of %d" %
                   (3 * PER_NODE, MAXCONN - RESERVED))
        c.stop_node(3)
        # The primary sees node 3's connections close: until they have,
        # some requests may still be 503.
        deadline = time.time() + 30
        while True:
            seen = blast(c.nodes[:2], token, pw, 1)
            if all(s != 503 for (_, s) in seen):
                break
            if time.time() > deadline:
                g.fail("nodes 1 and 2 still answer 503 with node 3 "
                       "stopped: %s" % show(seen))
            time.sleep(0.5)
        after = blast(c.nodes[:2], token, pw, 3)
        if any(s == 503 for (_, s) in after):
            g.fail("503 again with node 3 stopped: %s" % show(after))
    g.log("short of connections: %d of %d answers 503 with Retry-After, "
          "no 500, no hang; node 3 stopped: nodes 1 and 2 answer every "
          "request (%d)" % (n503, sum(short.values()), sum(after.values())))


if __name__ == "__main__":
    main()
