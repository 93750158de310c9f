"""Helpers for the cluster tests (tests/cluster/test_*): a cluster made by
scripts/cluster, read from its cluster.env, and plain HTTP requests to its
nodes.  Python 3 standard library only (run with /usr/bin/python3).

    with Cluster(nodes=3) as c:         # scripts/cluster start ... stop
        admin = c.admin_token()         # an admin made with the CLI
        st, hdrs, body = request(c.nodes[0], "GET", "/api/auth/me", token=t)

Every process the cluster starts is stopped by `scripts/cluster stop`
(by PID) when the with-block ends, whatever happened in it.
"""

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SCRIPT = os.environ.get("GH_CLUSTER_SCRIPT", os.path.join(TOP, "scripts",
                                                          "cluster"))
TIMEOUT = float(os.environ.get("GH_TEST_HTTP_TIMEOUT", "30"))
ADMIN_PASSWORD = "Admin-pass-0"


def log(*args):
    print(*args, flush=True)


def load_env(path):
    """cluster.env as a dict: KEY='value' lines, no quote in a value."""
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = line.split("=", 1)
            if len(value) >= 2 and value[0] == "'" and value[-1] == "'":
                value = value[1:-1]
            env[key] = value
    return env


def request(base, method, path, body=None, token=None, headers=None,
            timeout=TIMEOUT):
    """One request on a fresh connection: (status, headers dict with
    lower-case names, parsed JSON body or None).  A connection error or a
    timeout raises (a test treats it as a failure)."""
    host, port = base.split("://", 1)[1].rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        hdrs = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if token is not None:
            hdrs["Authorization"] = "Bearer " + token
        # http.client sends Content-Length: 0 for a POST without a body.
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        rh = {k.lower(): v for k, v in resp.getheaders()}
        parsed = None
        if raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = raw.decode("utf-8", "replace")
        return resp.status, rh, parsed
    finally:
        conn.close()


def parallel(calls):
    """Runs each zero-argument callable in its own thread, at once; their
    results (or the exception raised) in order."""
    results = [None] * len(calls)

    def run(i, fn):
        try:
            results[i] = fn()
        except Exception as e:  # noqa: BLE001 - handed back to the caller
            results[i] = e

    threads = [threading.Thread(target=run, args=(i, fn))
               for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def login(base, username, password):
    st, _, body = request(base, "POST", "/api/auth/login",
                          {"username": username, "password": password})
    if st != 200:
        raise AssertionError("login of %s on %s: %s %r" % (username, base,
                                                           st, body))
    return body["access_token"]


def psql(url, sql):
    """One statement as the owner; its rows, unaligned, |-separated."""
    out = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                          "-d", url, "-c", sql], check=True,
                         capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if line]


class Cluster:
    """scripts/cluster start in a fresh directory; stop on exit."""

    def __init__(self, nodes=3, maxconn=None, env=None):
        self.nodes_n = nodes
        self.maxconn = maxconn
        self.extra_env = env or {}
        self.dir = None
        self.env = {}

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="gh-cluster.")
        os.chmod(self.dir, 0o755)
        cmd = [SCRIPT, "start", "-n", str(self.nodes_n), "-d", self.dir]
        if os.environ.get("GH_BUILD_DIR"):
            cmd += ["-b", os.environ["GH_BUILD_DIR"]]
        if self.maxconn is not None:
            cmd += ["-m", str(self.maxconn)]
        env = dict(os.environ)
        env.update(self.extra_env)
        try:
            subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL,
                           env=env)
        except BaseException:
            self.stop()
            raise
        self.env = load_env(os.path.join(self.dir, "cluster.env"))
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def stop(self):
        if self.dir is None:
            return
        if os.path.exists(os.path.join(self.dir, "cluster.env")):
            rc = subprocess.run([SCRIPT, "stop", "-d", self.dir],
                                stdin=subprocess.DEVNULL).returncode
            if rc != 0:
                log("cluster: stop exited %d" % rc)
        if os.environ.get("GH_KEEP_CLUSTER") == "1":
            log("cluster: kept %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    @property
    def nodes(self):
        return self.env["GH_CLUSTER_NODES"].split()

    @property
    def node_pids(self):
        return [int(p) for p in self.env["GH_CLUSTER_NODE_PIDS"].split()]

    @property
    def node_dirs(self):
        return self.env["GH_CLUSTER_NODE_DIRS"].split()

    def cli(self, *args, stdin=None):
        """The gatehouse command as the owner (the admin config)."""
        env = dict(os.environ)
        env["GATEHOUSE_ADMIN_CONFIG"] = self.env["GH_CLUSTER_ADMIN_CONFIG"]
        return subprocess.run([self.env["GH_CLUSTER_CLI"], "-c",
                               self.env["GH_CLUSTER_CLI_CONFIG"]] + list(args),
                              input=stdin, capture_output=True, text=True,
                              env=env, check=True).stdout

    def admin_token(self, username="root-admin"):
        self.cli("user", "add", username, "--role", "admin",
                 stdin=ADMIN_PASSWORD + "\n")
        return login(self.nodes[0], username, ADMIN_PASSWORD)

    def sql(self, statement):
        return psql(self.env["GH_CLUSTER_PRIMARY_URL"], statement)

    def stop_node(self, n):
        """Stops node n (from 1) by its PID, and its programs."""
        subprocess.run([SCRIPT, "stop-node", "-d", self.dir, str(n)],
                       check=True, stdin=subprocess.DEVNULL)

    def program_pids(self, n, program):
        """The PIDs of node n's (from 1) processes of one program: the
        children of its lighttpd running BUILD/cgi-bin/PROGRAM."""
        ppid = self.node_pids[n - 1]
        pids = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    stat = f.read()
                exe = os.readlink("/proc/%s/exe" % d)
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == ppid and \
                    os.path.basename(exe) == program:
                pids.append(int(d))
        return sorted(pids)


def fail(msg):
    log("FAIL: " + msg)
    sys.exit(1)
