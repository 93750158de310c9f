"""The browser suites' common part: a headless chromium driven by selenium
against the stack tests/with-stack started (GH_TEST_BASE_URL).

Promises: one browser per suite file, started in setUpClass with a fresh
temporary profile and quit in tearDownClass; every test starts with no
cookies; chromium talks to 127.0.0.1 only (no proxy, no background
services).  run() prints Criterion's closing line ("Synthesis: Tested: N
| Passing: P | Failing: F | Crashing: 0"), which scripts/check reads, and
exits 0, 1, or 77 (automake's skip) when there is no browser -- except
under CI=true, where a missing browser is a failure.  Users are made and
suspended with the gatehouse command ($GH_TEST_CLI, $GH_TEST_CONFIG);
screenshots go to tests/browser/artifacts/ under the build directory.
With "#stack: mail", mail_wait() and mail_link() read the mail the stack
sent (tests/mailsink's files in $GH_TEST_MAILDIR), as tests/lib/mail.h.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PASSWORD = "Browser-Suite-Password-42"

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoSuchElementException
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
    HAVE_SELENIUM = True
except ImportError:
    HAVE_SELENIUM = False


def wait(driver, seconds):
    """A WebDriverWait that asks again when a command fails while the
    browser is between two documents: chromedriver then answers an
    element or script command with an error of its own ("Cannot find
    context with specified id", "no such execution context") instead of
    a stale element, and one such answer on a loaded machine must not
    fail the test.  A condition that never holds still times out."""
    return WebDriverWait(driver, seconds,
                         ignored_exceptions=(WebDriverException,))


def missing_browser():
    """What of the browser is missing, or None."""
    if not HAVE_SELENIUM:
        return "python3-selenium"
    for p in (CHROMIUM, CHROMEDRIVER):
        if not os.access(p, os.X_OK):
            return p
    return None


def base_url():
    return os.environ["GH_TEST_BASE_URL"]


def artifacts_dir():
    d = os.path.join(os.getcwd(), "tests", "browser", "artifacts")
    os.makedirs(d, exist_ok=True)
    return d


def cli(*args, stdin=None):
    env = dict(os.environ, GATEHOUSE_CONFIG=os.environ["GH_TEST_CONFIG"])
    p = subprocess.run([os.environ["GH_TEST_CLI"], *args], input=stdin,
                       capture_output=True, text=True, env=env, timeout=60)
    if p.returncode != 0:
        raise AssertionError("gatehouse %s: exit %d: %s" %
                             (" ".join(args), p.returncode, p.stderr))
    return p.stdout


def new_user(prefix="b", name=None):
    """A fresh active user whose password is PASSWORD: NAME, else PREFIX
    and random hex."""
    if name is None:
        name = "%s%s" % (prefix, secrets.token_hex(5))
    cli("user", "add", name, stdin=PASSWORD + "\n")
    return name


def api(method, path, body=None, token=None):
    """(status, parsed JSON or None) of one API request, outside the
    browser (another client)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base_url() + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        raw = e.read()
        status = e.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


def _mail_to(to):
    """The stored messages to TO (tests/mailsink, "#stack: mail" in the
    suite's .conf), in the order the sink got them, as strings."""
    d = os.environ.get("GH_TEST_MAILDIR")
    if not d:
        raise AssertionError("GH_TEST_MAILDIR is not set: give the suite "
                             "\"#stack: mail\"")
    found = []
    names = [n for n in os.listdir(d)
             if n.endswith(".eml") and n[:-4].isdigit()]
    for n in sorted(names, key=lambda n: int(n[:-4])):
        with open(os.path.join(d, n), encoding="utf-8") as f:
            msg = f.read()
        rcpt = mail_header(msg, "X-Sink-Rcpt") or ""
        if to.lower() in (r.strip().lower() for r in rcpt.split(",")):
            found.append(msg)
    return found


def mail_count(to):
    """How many messages the sink got for TO."""
    return len(_mail_to(to))


def mail_wait(to, n=1, timeout=10):
    """The N-th (1-based) message to TO, waiting up to TIMEOUT seconds;
    None when it has not come by then."""
    end = time.monotonic() + timeout
    while True:
        found = _mail_to(to)
        if len(found) >= n:
            return found[n - 1]
        if time.monotonic() > end:
            return None
        time.sleep(0.05)


def mail_header(msg, name):
    """The value of MSG's first header NAME (its first line), or None."""
    head = msg.split("\n\n", 1)[0]
    for line in head.split("\n"):
        k, sep, v = line.partition(":")
        if sep and k.lower() == name.lower():
            return v.strip()
    return None


def mail_link(msg, prefix):
    """The first URL in MSG's body beginning with PREFIX (after the base
    URL when PREFIX begins with "/"), or None."""
    if prefix.startswith("/"):
        prefix = base_url() + prefix
    body = msg.split("\n\n", 1)[-1]
    i = body.find(prefix)
    if i < 0:
        return None
    return body[i:].split()[0]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Attacker:
    """Another origin: a python http.server on 127.0.0.1:<free port>
    serving PAGES ({path: html}), its own process, stopped by PID."""

    def __init__(self, pages):
        self.dir = tempfile.mkdtemp(prefix="gh-attacker.")
        for name, html in pages.items():
            with open(os.path.join(self.dir, name), "w") as f:
                f.write(html)
        self.proc = None
        for _ in range(8):
            self.port = free_port()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "http.server", str(self.port),
                 "--bind", "127.0.0.1", "--directory", self.dir],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._wait_up():
                return
            self.stop()
        raise AssertionError("the attacker's server did not start")

    def _wait_up(self):
        for _ in range(100):
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), 1):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def url(self, name):
        return "http://127.0.0.1:%d/%s" % (self.port, name)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


class BrowserTest(unittest.TestCase):
    """One chromium for the class; no cookies at the start of a test."""

    driver = None
    profile = None
    # chromedriver's logs a suite reads with driver.get_log() (e.g.
    # {"browser": "ALL", "performance": "ALL"}); None: none kept.
    logging_prefs = None

    @classmethod
    def setUpClass(cls):
        cls.profile = tempfile.mkdtemp(prefix="gh-chromium.")
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox",
                  "--user-data-dir=" + cls.profile,
                  "--disable-dev-shm-usage", "--disable-gpu",
                  "--no-proxy-server", "--no-first-run",
                  "--disable-background-networking", "--disable-sync",
                  "--disable-extensions", "--window-size=1000,800",
                  # Any other host (evil.example) is not found, at once.
                  "--host-resolver-rules=MAP * ~NOTFOUND, "
                  "EXCLUDE 127.0.0.1"):
            opts.add_argument(a)
        if cls.logging_prefs is not None:
            opts.set_capability("goog:loggingPrefs", cls.logging_prefs)
        cls.driver = webdriver.Chrome(service=Service(CHROMEDRIVER),
                                      options=opts)
        cls.driver.set_page_load_timeout(60)

    @classmethod
    def tearDownClass(cls):
        if cls.driver is not None:
            cls.driver.quit()
        shutil.rmtree(cls.profile, ignore_errors=True)

    def setUp(self):
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})

    # -- pages --------------------------------------------------------

    def go(self, path):
        self.driver.get(base_url() + path)

    def status(self):
        """The HTTP status of the page the browser shows (the last
        response of its navigation's redirects)."""
        return self.driver.execute_script(
            "var n = performance.getEntriesByType('navigation');"
            "return n.length ? n[0].responseStatus : 0;")

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def path(self):
        """The current URL's path and query, after checking it is ours."""
        u = urllib.parse.urlsplit(self.driver.current_url)
        b = urllib.parse.urlsplit(base_url())
        self.assertEqual((u.scheme, u.netloc), (b.scheme, b.netloc),
                         "the browser left the site: %s" %
                         self.driver.current_url)
        return u.path + ("?" + u.query if u.query else "")

    def on_signin_page(self):
        p = self.path()
        self.assertTrue(p.startswith("/auth/login"),
                        "not the sign-in page: %s" % p)
        self.assertTrue(self.driver.find_elements(By.NAME, "password"),
                        "no password field on %s" % p)

    def submit_signin(self, username, password):
        """Fills in and submits the sign-in form the browser shows, and
        waits for the page that answers it."""
        d = self.driver
        d.find_element(By.NAME, "username").clear()
        d.find_element(By.NAME, "username").send_keys(username)
        d.find_element(By.NAME, "password").send_keys(password)
        form = d.find_element(By.XPATH, "//input[@name='password']/ancestor::form")
        try:
            form.find_element(By.CSS_SELECTOR,
                              "button[type=submit], input[type=submit], "
                              "button:not([type])").click()
        except NoSuchElementException:
            form.submit()
        self.wait_for_page(form)

    def wait_for_page(self, old):
        """Waits until the element OLD of the page before is gone and
        the new page loaded."""
        w = wait(self.driver, 60)
        w.until(EC.staleness_of(old))
        w.until(lambda d: d.execute_script(
            "return document.readyState") == "complete")

    def sign_in(self, username, nxt=None):
        """Signs in from the sign-in page (with ?next= when given)."""
        q = "" if nxt is None else "?next=" + urllib.parse.quote(nxt, safe="")
        self.go("/auth/login" + q)
        self.submit_signin(username, PASSWORD)

    def cookies(self):
        """Every cookie of the browser, {name: value} (WebDriver's own
        list shows only those of the current page's path)."""
        got = self.driver.execute_cdp_cmd("Network.getAllCookies", {})
        return {c["name"]: c["value"] for c in got["cookies"]}

    def signed_in_as(self):
        """The username the API sees from this browser's cookies (the
        browser itself asks /api/auth/me), or None."""
        self.go("/api/auth/me")
        if self.status() != 200:
            return None
        try:
            return json.loads(self.text()).get("username")
        except ValueError:
            return None

    def screenshot(self, name):
        path = os.path.join(artifacts_dir(), name)
        self.driver.save_screenshot(path)
        return path


def need_browser():
    """Exits 77 (skipped), or 1 under CI=true, when the browser is
    missing; a suite calls it before it names anything of selenium's."""
    what = missing_browser()
    if what is None:
        return
    if os.environ.get("CI") == "true":
        print("browser suite: %s is missing (CI=true: a failure)" % what)
        sys.exit(1)
    print("browser suite: %s is missing: skipped" % what)
    sys.exit(77)


def run():
    """Runs the calling file's tests; exits as described at the top."""
    need_browser()
    main = sys.modules["__main__"]
    suite = unittest.defaultTestLoader.loadTestsFromModule(main)
    res = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    # An error in setUpClass counts as one failing test.
    failing = len(res.failures) + len(res.errors)
    tested = max(res.testsRun - len(res.skipped), failing)
    print("[====] Synthesis: Tested: %d | Passing: %d | Failing: %d | "
          "Crashing: 0 " % (tested, tested - failing, failing))
    sys.stdout.flush()
    sys.exit(0 if res.wasSuccessful() and tested > 0 else 1)
