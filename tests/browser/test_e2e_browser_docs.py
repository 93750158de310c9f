#!/usr/bin/python3
"""test_e2e_browser_docs: GET /api/openapi.json and the docs page
/api/docs (Swagger UI, served as files by the web server) in a real
browser (headless chromium), on lighttpd, Apache and shared hosting.

Promises checked: the JSON is the build's document (200,
application/json, nosniff); the page and the JSON carry a
Content-Security-Policy that allows nothing but this host; the page
loads with no request to any other host and no CSP violation; and a
person can use it: "Authorize" with the OAuth2 password flow and a
registered user's username and password obtains a token from the real
POST /api/auth/login, and "Try it out" / "Execute" on GET /api/auth/me
then shows 200 with that user's username.  The suite needs the docs page
built (configure --with-swagger-ui=DIR, which scripts/check passes);
without it the suite skips, and fails under CI=true.
"""

import json
import os
import sys
import time
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import ghbrowser as gb  # noqa: E402
gb.need_browser()
from ghbrowser import By  # noqa: E402
from ghbrowser import EC  # noqa: E402

API_DIR = os.environ.get("GH_API_DIR", "")
DOCS_BUILT = os.path.isfile(os.path.join(API_DIR, "docs", "index.html"))

# What the page's policy must say (each directive, as the web server
# configs write it), and what it must never allow.
CSP_WANT = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
CSP_NEVER = ("*", "http:", "https:", "'unsafe-eval'", "'unsafe-inline'")

# Injected into every document before its own scripts (the DevTools
# protocol, not the page, so the page's CSP does not apply to it): keeps
# every securitypolicyviolation event the page raises.
RECORD_VIOLATIONS = """
window.__ghViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
    window.__ghViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def fetch(path):
    """(status, headers, body bytes) of a GET outside the browser."""
    req = urllib.request.Request(gb.base_url() + path)
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.headers, r.read()


def parse_csp(value):
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = " ".join(words[1:])
    return out


def need_docs():
    if DOCS_BUILT:
        return
    what = "the docs page is not built (configure --with-swagger-ui=DIR)"
    if os.environ.get("CI") == "true":
        print("browser suite: %s (CI=true: a failure)" % what)
        sys.exit(1)
    print("browser suite: %s: skipped" % what)
    sys.exit(77)


class Docs(gb.BrowserTest):

    logging_prefs = {"browser": "ALL", "performance": "ALL"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument",
            {"source": RECORD_VIOLATIONS})

    def assert_own_csp(self, headers, path):
        csp = headers.get("Content-Security-Policy")
        self.assertIsNotNone(csp, "%s has no Content-Security-Policy" % path)
        got = parse_csp(csp)
        for k, v in CSP_WANT.items():
            self.assertEqual(got.get(k), v, "%s: %s in %r" % (path, k, csp))
        for k, v in got.items():
            for bad in CSP_NEVER:
                self.assertNotIn(bad, v.split(), "%s: %s allows %s" %
                                 (path, k, bad))
        self.assertEqual(headers.get("X-Content-Type-Options"), "nosniff",
                         path)

    def open_docs(self):
        """Opens /api/docs with fresh logs and waits for Swagger UI to
        show the document's title and its operations."""
        self.driver.get_log("performance")
        self.driver.get_log("browser")
        self.go("/api/docs")
        w = gb.wait(self.driver, 60)
        w.until(lambda d: "gatehouse" in d.find_element(
            By.CSS_SELECTOR, ".swagger-ui .info .title").text)
        w.until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, ".swagger-ui .opblock")))
        self.assertEqual(self.status(), 200)

    def requests_seen(self):
        """[(url, method, body)] of every request the browser sent or
        tried since the last look (chromedriver's performance log)."""
        seen = []
        for entry in self.driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") == "Network.requestWillBeSent":
                r = msg["params"]["request"]
                seen.append((r["url"], r["method"], r.get("postData", "")))
        return seen

    def assert_nothing_external(self, seen):
        base = urllib.parse.urlsplit(gb.base_url())
        for url, _, _ in seen:
            u = urllib.parse.urlsplit(url)
            # The page's own data: and blob: URLs; chrome: is the browser's
            # own new-tab page before the first navigation.
            if u.scheme in ("data", "blob", "chrome"):
                continue
            self.assertEqual((u.scheme, u.netloc), (base.scheme, base.netloc),
                             "the page asked another host: %s" % url)

    def assert_no_violation(self):
        got = self.driver.execute_script("return window.__ghViolations;")
        self.assertEqual(got, [], "CSP violations: %s" % got)
        for e in self.driver.get_log("browser"):
            self.assertNotIn("Content Security Policy", e["message"], e)
            self.assertNotIn("Refused to", e["message"], e)

    # -- the document --------------------------------------------------

    def test_openapi_json_is_the_built_document(self):
        status, headers, body = fetch("/api/openapi.json")
        self.assertEqual(status, 200)
        self.assertEqual(headers.get_content_type(), "application/json")
        self.assert_own_csp(headers, "/api/openapi.json")
        with open(os.path.join(API_DIR, "openapi.json"), "rb") as f:
            built = f.read()
        self.assertEqual(body, built)
        doc = json.loads(body)
        self.assertTrue(doc["openapi"].startswith("3.1"))
        flow = doc["components"]["securitySchemes"]["password"]["flows"]
        self.assertEqual(flow["password"]["tokenUrl"], "/api/auth/login")

    def test_docs_page_and_its_files_carry_the_policy(self):
        for path in ("/api/docs", "/api/docs/", "/api/docs/index.html",
                     "/api/docs/gatehouse-docs.js",
                     "/api/docs/swagger-ui-bundle.js",
                     "/api/docs/swagger-ui.css"):
            status, headers, body = fetch(path)
            self.assertEqual(status, 200, path)
            self.assert_own_csp(headers, path)
        status, headers, body = fetch("/api/docs")
        self.assertEqual(headers.get_content_type(), "text/html")
        # No inline script: every <script> names a file of this host.
        page = body.decode("utf-8")
        self.assertNotIn("<script>", page)
        self.assertEqual(page.count("<script src=\"/api/docs/"),
                         page.count("<script"))
        status, headers, _ = fetch("/api/docs/gatehouse-docs.js")
        self.assertIn(headers.get_content_type(),
                      ("text/javascript", "application/javascript"))

    # -- the page in the browser ---------------------------------------

    def test_page_loads_from_this_host_only_without_violations(self):
        self.open_docs()
        seen = self.requests_seen()
        urls = [u for u, _, _ in seen]
        self.assertTrue(any(u.endswith("/api/openapi.json") for u in urls),
                        urls)
        self.assert_nothing_external(seen)
        self.assert_no_violation()
        self.screenshot("docs.png")

    def test_authorize_with_password_then_try_me(self):
        name = gb.new_user("docs")
        d = self.driver
        self.open_docs()
        w = gb.wait(d, 60)

        # Authorize: the password flow's form in the dialog.
        d.find_element(By.CSS_SELECTOR, ".auth-wrapper .btn.authorize").click()
        w.until(EC.visibility_of_element_located(
            (By.CSS_SELECTOR, ".modal-ux #oauth_username")))
        d.find_element(By.CSS_SELECTOR, "#oauth_username").send_keys(name)
        d.find_element(By.CSS_SELECTOR, "#oauth_password").send_keys(
            gb.PASSWORD)
        flow = d.find_element(By.XPATH, "//input[@id='oauth_username']"
                              "/ancestor::div[contains(@class,'auth-container')]")
        flow.find_element(By.CSS_SELECTOR, ".btn.authorize").click()
        # Authorized: the dialog offers Logout for this scheme.
        w.until(lambda _: flow.find_elements(
            By.XPATH, ".//button[normalize-space()='Logout']"))
        self.assertFalse(flow.find_elements(By.CSS_SELECTOR, ".errors"),
                         flow.text)
        # The token came from the real login: the password grant, posted
        # as a form.
        login = [urllib.parse.parse_qs(body) for u, m, body
                 in self.requests_seen()
                 if urllib.parse.urlsplit(u).path == "/api/auth/login" and
                 m == "POST"]
        self.assertEqual(len(login), 1, "POST /api/auth/login: %s" % login)
        self.assertEqual(login[0].get("grant_type"), ["password"])
        self.assertEqual(login[0].get("username"), [name])
        d.find_element(By.CSS_SELECTOR, ".modal-ux .btn-done").click()
        w.until(EC.invisibility_of_element_located(
            (By.CSS_SELECTOR, ".modal-ux")))

        # GET /api/auth/me: Try it out, Execute.
        op = d.find_element(By.XPATH,
                            "//div[contains(@class,'opblock-get')]"
                            "[.//*[@data-path='/api/auth/me']]")
        op.find_element(By.CSS_SELECTOR, ".opblock-summary-control").click()
        w.until(lambda _: op.find_elements(By.CSS_SELECTOR, ".try-out__btn"))
        op.find_element(By.CSS_SELECTOR, ".try-out__btn").click()
        w.until(lambda _: op.find_elements(By.CSS_SELECTOR, ".btn.execute"))
        op.find_element(By.CSS_SELECTOR, ".btn.execute").click()
        live = (By.CSS_SELECTOR,
                ".live-responses-table tr.response .response-col_status")
        w.until(lambda _: op.find_elements(*live) and
                op.find_element(*live).text.strip())
        status = op.find_element(*live).text.strip()
        shown = op.find_element(
            By.CSS_SELECTOR, ".live-responses-table tr.response"
            " .response-col_description .highlight-code pre").text
        self.screenshot("docs-me.png")
        self.assertEqual(status, "200", shown)
        self.assertEqual(json.loads(shown)["username"], name)
        # The request shown went with the token as a bearer.
        curl = op.find_element(By.CSS_SELECTOR, ".curl-command").text
        self.assertIn("Authorization: Bearer ", curl)
        self.assert_nothing_external(self.requests_seen())
        self.assert_no_violation()
        # The token is in the page's memory only.
        stored = d.execute_script(
            "return JSON.stringify(window.localStorage);")
        self.assertNotIn("access_token", stored)


if __name__ == "__main__":
    need_docs()
    gb.run()
