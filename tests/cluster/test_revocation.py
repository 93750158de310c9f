#!/usr/bin/python3
"""Revocation across nodes: a change made on one node (logout, logout of
every session, suspension, a role taken away or given, a password change)
is seen by the very next request on every node, the same one included,
although every process of every node had the session cached just before.

Workers run trials side by side, each with a victim of its own; a trial
is one change on a random node, then every node checked by as many
concurrent requests as its pool has processes (so each process answers).
A "check" is one node's answer to one change; the run makes at least
GH_REVOCATION_CHECKS (default 1050) of them and fails on any stale one.
"""

import os
import random
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gh_cluster as g  # noqa: E402

PROCS = int(os.environ.get("GH_PROCS", "3"))
CHECKS = int(os.environ.get("GH_REVOCATION_CHECKS", "1050"))
WORKERS = int(os.environ.get("GH_REVOCATION_WORKERS", "4"))
KINDS = ("logout", "logout_all", "suspend", "role_remove", "role_add",
         "password")

lock = threading.Lock()
counts = {k: 0 for k in KINDS}
checks = [0]
stale = []
errors = []


def on_all(nodes, method, path, token, n=PROCS, body=None):
    """n concurrent requests on each node: [(node, status), ...]."""
    calls = []
    for base in nodes:
        for _ in range(n):
            calls.append((base, lambda b=base: g.request(
                b, method, path, body, token=token)[0]))
    res = g.parallel([fn for _, fn in calls])
    out = []
    for (base, _), r in zip(calls, res):
        if isinstance(r, Exception):
            raise AssertionError("%s %s on %s: %r" % (method, path, base, r))
        out.append((base, r))
    return out


def warm(nodes, path, token, want):
    """Every process of every node's pool answers, caching the session."""
    for _ in range(2):
        for base, st in on_all(nodes, "GET", path, token, 2 * PROCS):
            if st != want:
                raise AssertionError("warming %s on %s: %d, not %d" %
                                     (path, base, st, want))


def expect(kind, nodes, path, token, want, where):
    res = on_all(nodes, "GET", path, token)
    with lock:
        checks[0] += len(nodes)
        for base, st in res:
            if st != want:
                stale.append("%s made on %s: GET %s on %s answered %d, "
                             "not %d" % (kind, where, path, base, st, want))


def ok(st, want, what):
    if st != want:
        raise AssertionError("%s: %s, not %s" % (what, st, want))


class Victim:
    def __init__(self, c, admin, i):
        self.c = c
        self.admin = admin
        self.name = "victim%02d" % i
        self.password = "Victim-pass-%d-0" % i
        self.serial = 0
        st, _, body = g.request(c.nodes[0], "POST", "/api/admin/users",
                                {"username": self.name,
                                 "password": self.password,
                                 "roles": ["user"]}, token=admin)
        ok(st, 201, "creating " + self.name)
        self.id = body["id"]
        self.is_admin = False

    def node(self):
        return random.choice(self.c.nodes)

    def login(self):
        return g.login(self.node(), self.name, self.password)

    def patch(self, where, body):
        st, _, resp = g.request(where, "PATCH", "/api/admin/users/" + self.id,
                                body, token=self.admin)
        ok(st, 200, "PATCH %r" % (body,))
        return resp

    def trial(self, kind):
        nodes = self.c.nodes
        where = self.node()
        with lock:
            counts[kind] += 1
        if kind == "logout":
            t = self.login()
            warm(nodes, "/api/auth/me", t, 200)
            st, _, _ = g.request(where, "POST", "/api/auth/logout", {},
                                 token=t)
            ok(st, 204, "logout")
            expect(kind, nodes, "/api/auth/me", t, 401, where)
        elif kind == "logout_all":
            t1, t2 = self.login(), self.login()
            warm(nodes, "/api/auth/me", t1, 200)
            warm(nodes, "/api/auth/me", t2, 200)
            st, _, _ = g.request(where, "POST", "/api/auth/logout",
                                 {"all": True}, token=t1)
            ok(st, 204, "logout all")
            expect(kind, nodes, "/api/auth/me", t2, 401, where)
            expect(kind, nodes, "/api/auth/me", t1, 401, where)
        elif kind == "suspend":
            t = self.login()
            warm(nodes, "/api/auth/me", t, 200)
            self.patch(where, {"status": "suspended"})
            expect(kind, nodes, "/api/auth/me", t, 401, where)
            self.patch(self.node(), {"status": "active"})
        elif kind in ("role_remove", "role_add"):
            if (kind == "role_remove") != self.is_admin:
                # Put the role in the state this trial changes.
                self.patch(self.node(), {"roles": ["user", "admin"]
                                         if not self.is_admin else ["user"]})
                self.is_admin = not self.is_admin
            t = self.login()
            before = 200 if self.is_admin else 403
            warm(nodes, "/api/admin/dashboard", t, before)
            warm(nodes, "/api/auth/me", t, 200)
            self.patch(where, {"roles": ["user"] if self.is_admin
                               else ["user", "admin"]})
            self.is_admin = not self.is_admin
            expect(kind, nodes, "/api/admin/dashboard", t,
                   200 if self.is_admin else 403, where)
            # /me reports the roles of the database, now.
            for base, st_roles in me_roles(nodes, t):
                if st_roles != self.is_admin:
                    with lock:
                        stale.append("%s made on %s: /me on %s shows "
                                     "the old roles" % (kind, where, base))
        elif kind == "password":
            t1, t2 = self.login(), self.login()
            warm(nodes, "/api/auth/me", t1, 200)
            warm(nodes, "/api/auth/me", t2, 200)
            self.serial += 1
            new = "%s-%d" % (self.password.rsplit("-", 1)[0], self.serial)
            st, _, body = g.request(where, "POST", "/api/auth/password",
                                    {"current_password": self.password,
                                     "new_password": new}, token=t1)
            ok(st, 204, "password change: %r" % (body,))
            self.password = new
            expect(kind, nodes, "/api/auth/me", t2, 401, where)
            # The caller's own session goes on.
            expect(kind, nodes, "/api/auth/me", t1, 200, where)


def me_roles(nodes, token):
    out = []
    for base in nodes:
        st, _, body = g.request(base, "GET", "/api/auth/me", token=token)
        ok(st, 200, "/me")
        out.append((base, "admin" in body.get("roles", [])))
    return out


def worker(v, stop):
    kinds = list(KINDS)
    i = random.randrange(len(kinds))
    try:
        while not stop.is_set():
            with lock:
                if checks[0] >= CHECKS:
                    return
            v.trial(kinds[i % len(kinds)])
            i += 1
    except Exception as e:  # noqa: BLE001 - reported below
        with lock:
            errors.append("%s: %r" % (v.name, e))
        stop.set()


def main():
    random.seed(os.environ.get("GH_TEST_SEED"))
    with g.Cluster(nodes=3) as c:
        admin = c.admin_token()
        victims = [Victim(c, admin, i) for i in range(WORKERS)]
        stop = threading.Event()
        threads = [threading.Thread(target=worker, args=(v, stop))
                   for v in victims]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for e in errors:
        g.log("error: " + e)
    for s in stale[:20]:
        g.log("stale: " + s)
    trials = sum(counts.values())
    g.log("trials by kind: " + ", ".join("%s %d" % kv for kv in
                                         counts.items()))
    summary = ("%d trials (changes) on 3 nodes, %d node checks of %d "
               "requests each, %d stale" % (trials, checks[0], PROCS,
                                            len(stale)))
    if errors or stale or checks[0] < CHECKS:
        g.fail(summary)
    g.log(summary)


if __name__ == "__main__":
    main()
