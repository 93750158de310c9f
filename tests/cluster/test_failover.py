#!/usr/bin/python3
"""Failover under load (issue 19).

On a fresh cluster of 3 web nodes (scripts/cluster start), client threads
keep registering, signing in, refreshing, calling /me, changing passwords
and signing out, on every node, and remember every write that was
acknowledged (a 2xx).  Then the primary's postmaster is killed with
SIGKILL and the standby promoted (scripts/cluster promote).  Asserted:

  - every answer, before, during and after the gap, is the right one or a
    503 with Retry-After: no 500, no other 5xx, no broken connection;
  - no 200 for a session whose sign-out was acknowledged, no sign-in with
    a password whose change was acknowledged;
  - service is back on every node within 10 s of the promotion completing
    ("back": the node answers /me 200 for a session made before the kill
    and a registration 201);
  - nothing acknowledged is lost: every acknowledged registration can
    sign in with its current password (the old one fails after an
    acknowledged change), every acknowledged sign-out stays 401 for both
    its tokens.

A write answered 503 has an unknown outcome (the connection may have
died after COMMIT reached the server): its user or session is left out of
the final checks that depend on it, except that a password whose change
is unknown must be exactly one of the two.

Environment: GH_BUILD_DIR (default build/dev of this checkout) and
GH_CLUSTER_SCRIPT (default scripts/cluster), as `scripts/cluster check`
sets them.  Needs root or a user that may run PostgreSQL and lighttpd
(scripts/cluster decides).  Prints counts; the last line is a summary.
"""

import http.client
import os
import random
import signal
import subprocess
import sys
import threading
import time

from gh_cluster import SCRIPT, Cluster, log
from gh_cluster import request as gh_request

NODES = 3
THREADS_PER_NODE = 3
WARMUP_S = 6.0          # load before the kill
GAP_S = 1.5             # the primary is dead, nobody promoted yet
AFTER_S = 4.0           # load after every node is back
RECOVERY_BOUND_S = 10.0  # issue 19: back within 10 s of the promotion
PROBE_GIVE_UP_S = 30.0
HTTP_TIMEOUT_S = 30.0

PW_TAIL = "-Aa1!pw"


class Stats:
    """Counts and failures, shared by every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.unavailable = 0
        self.by_status = {}
        self.errors = []

    def count(self, status):
        with self.lock:
            self.requests += 1
            self.by_status[status] = self.by_status.get(status, 0) + 1
            if status == 503:
                self.unavailable += 1

    def fail(self, msg):
        with self.lock:
            self.errors.append(msg)
            if len(self.errors) <= 30:
                log("FAIL: " + msg)


STATS = Stats()


def request(base, method, path, body=None, token=None):
    """gh_cluster.request(), counted and checked: (status, headers, body).

    A broken connection counts as status None and is a failure: lighttpd
    answers every request, the programs answer 503 when the database is
    gone.  A 5xx other than 503, or a 503 without Retry-After, fails."""
    try:
        status, hdrs, doc = gh_request(base, method, path, body=body,
                                       token=token, timeout=HTTP_TIMEOUT_S)
    except (OSError, http.client.HTTPException) as e:
        STATS.count(None)
        STATS.fail("%s %s %s: connection failed: %r" % (base, method, path, e))
        return None, {}, None
    STATS.count(status)
    if status >= 500:
        if status != 503:
            STATS.fail("%s %s %s: %d %r" % (base, method, path, status,
                                            str(doc)[:200]))
        elif not hdrs.get("retry-after", "").strip().isdigit():
            STATS.fail("%s %s %s: 503 without Retry-After" %
                       (base, method, path))
    if not isinstance(doc, dict):
        doc = {}
    return status, hdrs, doc


def expect(what, status, allowed):
    """A status must be one of allowed or 503 (checked in request())."""
    if status is None or status == 503 or status in allowed:
        return
    STATS.fail("%s: unexpected %s" % (what, status))


class Ledger:
    """What the cluster acknowledged, to be found again afterwards."""

    def __init__(self):
        self.lock = threading.Lock()
        self.users = []          # dicts: name, pw, old (None) or candidates
        self.logged_out = []     # (name, access, refresh)
        self.pw_changes = 0
        self.before_kill = {"register": 0, "logout": 0, "password": 0}
        self.killed = False

    def add(self, kind, item):
        with self.lock:
            if kind == "register":
                self.users.append(item)
            elif kind == "logout":
                self.logged_out.append(item)
            else:
                self.pw_changes += 1
            if not self.killed:
                self.before_kill[kind] += 1


LEDGER = Ledger()
STOP = threading.Event()


class Client:
    """One simulated client: a loop of whole account lives."""

    def __init__(self, nodes, seed):
        self.nodes = nodes
        self.rng = random.Random(seed)
        self.seed = seed
        self.n = 0

    def node(self):
        return self.rng.choice(self.nodes)

    def login(self, user, pw, attempts=20):
        """A session for user: (access, refresh), None if 503s persist."""
        for _ in range(attempts):
            if STOP.is_set():
                return None
            st, _, doc = request(self.node(), "POST", "/api/auth/login",
                                 {"username": user["name"], "password": pw})
            if st == 200:
                return doc["access_token"], doc["refresh_token"]
            expect("login %s" % user["name"], st, ())
            if st is None:
                return None
            time.sleep(0.05)
        return None

    def me(self, user, access, revoked=False):
        st, _, doc = request(self.node(), "GET", "/api/auth/me",
                             token=access)
        if revoked:
            if st == 200:
                STATS.fail("/me 200 for %s after its sign-out was "
                           "acknowledged" % user["name"])
            expect("/me after sign-out", st, (401,))
            return st
        if st == 200 and doc.get("username") != user["name"]:
            STATS.fail("/me answered %r for %s" % (doc.get("username"),
                                                   user["name"]))
        expect("/me %s" % user["name"], st, (200,))
        return st

    def life(self):
        self.n += 1
        name = "fo%d-%d-%s" % (self.seed, self.n, "%06x" %
                                self.rng.getrandbits(24))
        pw = "p%08x%s" % (self.rng.getrandbits(32), PW_TAIL)
        st, _, _ = request(self.node(), "POST", "/api/auth/register",
                           {"username": name, "password": pw})
        expect("register %s" % name, st, (201,))
        if st != 201:
            time.sleep(0.05)
            return
        user = {"name": name, "pw": pw, "old": None, "candidates": None}
        LEDGER.add("register", user)
        sess = self.login(user, pw)
        if sess is None:
            return
        access, refresh = sess
        self.me(user, access)

        st, _, doc = request(self.node(), "POST", "/api/auth/refresh",
                             {"refresh_token": refresh})
        expect("refresh %s" % name, st, (200,))
        if st == 200:
            access, refresh = doc["access_token"], doc["refresh_token"]
            self.me(user, access)
        else:
            refresh = None     # rotated or not: unknown, not used again

        new = "n%08x%s" % (self.rng.getrandbits(32), PW_TAIL)
        st, _, _ = request(self.node(), "POST", "/api/auth/password",
                           {"current_password": pw, "new_password": new},
                           token=access)
        expect("password %s" % name, st, (204,))
        if st == 204:
            with LEDGER.lock:
                user["old"], user["pw"] = pw, new
            LEDGER.add("password", None)
            # The old password is refused from the acknowledgement on.
            st, _, _ = request(self.node(), "POST", "/api/auth/login",
                               {"username": name, "password": pw})
            if st == 200:
                STATS.fail("sign-in with %s's old password after the "
                           "change was acknowledged" % name)
            expect("login with the old password", st, (401,))
        elif st == 503:
            with LEDGER.lock:
                user["candidates"] = (pw, new)
                user["pw"] = None
            return
        self.me(user, access)

        st, _, _ = request(self.node(), "POST", "/api/auth/logout",
                           token=access)
        expect("logout %s" % name, st, (204,))
        if st == 204:
            LEDGER.add("logout", (user, access, refresh))
            self.me(user, access, revoked=True)

    def run(self):
        while not STOP.is_set():
            try:
                self.life()
            except Exception as e:  # a bug of this test: fail loudly
                STATS.fail("client %d: %r" % (self.seed, e))
                time.sleep(0.1)


def probe(node, access, t0, out):
    """Seconds from t0 until node answers /me 200 and a registration 201."""
    rng = random.Random(node)
    me_ok = reg_ok = None
    while time.monotonic() - t0 < PROBE_GIVE_UP_S:
        if me_ok is None:
            st, _, _ = request(node, "GET", "/api/auth/me", token=access)
            expect("probe /me", st, (200,))
            if st == 200:
                me_ok = time.monotonic()
        if reg_ok is None:
            name = "probe-%08x" % rng.getrandbits(32)
            pw = "q%08x%s" % (rng.getrandbits(32), PW_TAIL)
            st, _, _ = request(node, "POST", "/api/auth/register",
                               {"username": name, "password": pw})
            expect("probe register", st, (201,))
            if st == 201:
                reg_ok = time.monotonic()
                LEDGER.add("register", {"name": name, "pw": pw, "old": None,
                                        "candidates": None})
        if me_ok is not None and reg_ok is not None:
            out[node] = max(me_ok, reg_ok) - t0
            return
        time.sleep(0.05)
    out[node] = None


def login_status(node, name, pw):
    st, _, _ = request(node, "POST", "/api/auth/login",
                       {"username": name, "password": pw})
    return st


def verify(nodes):
    """Every acknowledged write is there; returns how many were checked."""
    checked = 0
    rng = random.Random(7)
    for user in LEDGER.users:
        node = rng.choice(nodes)
        if user["candidates"] is not None:
            a, b = user["candidates"]
            sa, sb = login_status(node, user["name"], a), \
                login_status(node, user["name"], b)
            if sorted((sa, sb)) != [200, 401]:
                STATS.fail("%s (password change unknown): logins %s/%s, "
                           "want exactly one 200" % (user["name"], sa, sb))
            checked += 1
            continue
        st = login_status(node, user["name"], user["pw"])
        if st != 200:
            STATS.fail("lost: %s registered%s, sign-in now %s" %
                       (user["name"], " (password changed)" if user["old"]
                        else "", st))
        checked += 1
        if user["old"] is not None:
            st = login_status(node, user["name"], user["old"])
            if st != 401:
                STATS.fail("lost: %s's password change, the old password "
                           "now answers %s" % (user["name"], st))
            checked += 1
    for user, access, refresh in LEDGER.logged_out:
        node = rng.choice(nodes)
        st, _, _ = request(node, "GET", "/api/auth/me", token=access)
        if st != 401:
            STATS.fail("lost: %s's sign-out, /me now %s" % (user["name"], st))
        if refresh is not None:
            st, _, _ = request(node, "POST", "/api/auth/refresh",
                               {"refresh_token": refresh})
            if st != 401:
                STATS.fail("lost: %s's sign-out, refresh now %s" %
                           (user["name"], st))
        checked += 1
    return checked


def promote(cdir):
    return subprocess.run([SCRIPT, "promote", "-d", cdir],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)


def main():
    t = time.monotonic()
    with Cluster(nodes=NODES) as c:
        return under_load(c, time.monotonic() - t)


def under_load(c, startup):
    nodes = c.nodes
    primary_pid = int(c.env["GH_CLUSTER_PRIMARY_PID"])
    log("cluster up in %.1f s: %d nodes, primary pid %d" %
        (startup, len(nodes), primary_pid))
    if len(nodes) != NODES:
        log("FAIL: %d nodes, want %d" % (len(nodes), NODES))
        return 1
    try:
        # One session per node for the recovery probes, made before the kill.
        probes = []
        for i, node in enumerate(nodes):
            cl = Client([node], 1000 + i)
            name = "probe-user-%d-%06x" % (i, cl.rng.getrandbits(24))
            pw = "r%08x%s" % (cl.rng.getrandbits(32), PW_TAIL)
            st, _, _ = request(node, "POST", "/api/auth/register",
                               {"username": name, "password": pw})
            user = {"name": name, "pw": pw, "old": None, "candidates": None}
            sess = cl.login(user, pw) if st == 201 else None
            if sess is None:
                log("FAIL: no session on %s before the kill (%s)" %
                    (node, st))
                return 1
            LEDGER.add("register", user)
            probes.append(sess[0])

        threads = []
        t_load = time.monotonic()
        seed = 0
        for _ in range(NODES * THREADS_PER_NODE):
            seed += 1
            th = threading.Thread(target=Client(nodes, seed).run, daemon=True)
            th.start()
            threads.append(th)
        time.sleep(WARMUP_S)

        with LEDGER.lock:
            LEDGER.killed = True
            os.kill(primary_pid, signal.SIGKILL)
        t_kill = time.monotonic()
        log("primary %d killed (SIGKILL) after %d requests" %
            (primary_pid, STATS.requests))
        time.sleep(GAP_S)
        r = promote(c.dir)
        t_promoted = time.monotonic()
        if r.returncode != 0:
            log(r.stdout)
            log("FAIL: scripts/cluster promote exited %d" % r.returncode)
            STOP.set()
            return 1
        log("standby promoted %.1f s after the kill" % (t_promoted - t_kill))

        recovery = {}
        pts = [threading.Thread(target=probe,
                                args=(node, probes[i], t_promoted, recovery))
               for i, node in enumerate(nodes)]
        for p in pts:
            p.start()
        for p in pts:
            p.join()
        time.sleep(AFTER_S)
        STOP.set()
        for th in threads:
            th.join(HTTP_TIMEOUT_S + 5)

        for i, node in enumerate(nodes):
            sec = recovery.get(node)
            if sec is None:
                STATS.fail("node %d (%s) not back within %.0f s" %
                           (i + 1, node, PROBE_GIVE_UP_S))
            elif sec > RECOVERY_BOUND_S:
                STATS.fail("node %d (%s) back after %.2f s, more than %.0f s"
                           % (i + 1, node, sec, RECOVERY_BOUND_S))
        with STATS.lock:
            load_requests, load_503 = STATS.requests, STATS.unavailable
            by_status = dict(STATS.by_status)
        load_s = time.monotonic() - t_load
        checked = verify(nodes)
        log("requests under load: %d in %.1f s, of them 503: %d; by "
            "status: %s" % (load_requests, load_s, load_503,
                            ", ".join("%s: %d" % (k, v) for k, v in
                                      sorted(by_status.items(), key=str))))
        log("acknowledged before the kill: %d registrations, %d password "
            "changes, %d sign-outs" % (LEDGER.before_kill["register"],
                                       LEDGER.before_kill["password"],
                                       LEDGER.before_kill["logout"]))
        log("acknowledged in all: %d registrations, %d password changes, "
            "%d sign-outs; %d checks of them afterwards" %
            (len(LEDGER.users), LEDGER.pw_changes, len(LEDGER.logged_out),
             checked))
        times = " ".join("%.2f" % recovery[n] if recovery.get(n) is not None
                         else "never" for n in nodes)
        log("seconds from promotion to service, per node: %s" % times)
        ok = not STATS.errors
        log("failover: %s; %d requests, %d 503, %d acknowledged writes "
            "checked, recovery %s s, %d failures" %
            ("ok" if ok else "FAILED", load_requests, load_503, checked,
             times, len(STATS.errors)))
        return 0 if ok else 1
    finally:
        STOP.set()


if __name__ == "__main__":
    sys.exit(main())
