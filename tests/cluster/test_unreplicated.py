#!/usr/bin/python3
"""A commit the synchronous standby never confirmed is not a success.

With the standby gone, the primary's COMMIT waits for it; after
statement_timeout PostgreSQL cancels the wait and keeps the commit on the
primary alone, with only a WARNING.  A failover then would lose that
write, so gatehouse must not have acknowledged it: a registration and a
sign-in (both writes) answer 503 with Retry-After, never 201 or 200.

Environment as for every tests/cluster test (gh_cluster.py)."""

import os
import signal
import sys
import time

from gh_cluster import Cluster, fail, log, request

PW = "Unrepl-pass-0"


def main():
    with Cluster(nodes=1) as c:
        node = c.nodes[0]
        st, _, _ = request(node, "POST", "/api/auth/register",
                           {"username": "before", "password": PW})
        if st != 201:
            fail("registration with the standby up: %s" % st)
        os.kill(int(c.env["GH_CLUSTER_STANDBY_PID"]), signal.SIGKILL)
        # Its WAL receiver outlives it for a moment, and confirms.
        deadline = time.monotonic() + 30
        while c.sql("SELECT count(*) FROM pg_stat_replication") \
                != ["0"]:
            if time.monotonic() > deadline:
                fail("the primary still streams to the killed standby")
            time.sleep(0.1)
        log("standby killed and gone; every commit now waits for it")
        for what, path, body in (
                ("registration", "/api/auth/register",
                 {"username": "after", "password": PW}),
                ("sign-in", "/api/auth/login",
                 {"username": "before", "password": PW})):
            t = time.monotonic()
            st, hdrs, _ = request(node, "POST", path, body)
            log("%s without the standby: %s after %.1f s" %
                (what, st, time.monotonic() - t))
            if st != 503:
                fail("%s committed on the primary alone answered %s, "
                     "want 503" % (what, st))
            if not hdrs.get("retry-after", "").isdigit():
                fail("%s: 503 without Retry-After" % what)
    log("unreplicated: ok; a registration and a sign-in the standby never "
        "confirmed both answered 503")
    return 0


if __name__ == "__main__":
    sys.exit(main())
