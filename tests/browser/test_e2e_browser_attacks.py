#!/usr/bin/python3
"""test_e2e_browser_attacks: what a page of another origin can make a
signed-in browser do to gatehouse (headless chromium; the attacker's
pages are served by a python http.server on another 127.0.0.1 port,
started and stopped by PID).  Another port of the same host is another
origin but the same site, so SameSite=Lax cookies do go along: only the
CSRF token, the Origin check and the pages' frame-ancestors stand in the
way, which is what these tests prove.  And a crafted next= never takes
the browser off the site after signing in.  None needs the authorizer:
the API's answer to the browser's own cookies says who is signed in, so
the suite runs on shared hosting too.
"""

import os
import sys
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import ghbrowser as gb  # noqa: E402
gb.need_browser()
from ghbrowser import By  # noqa: E402

NEW_PASSWORD = "Attacker-Chosen-Password-7"
# Crafted next= values as they appear in a link's query string...
NEXT_IN_LINKS = (
    "//evil.example/", "/%5Cevil.example/", "/%5C%5Cevil.example/",
    "https://evil.example/", "https:evil.example", "%2F%2Fevil.example/",
    "%252F%252Fevil.example/", "/%09/evil.example/",
    "/%0D%0A/evil.example/", "javascript:alert(1)", "%20//evil.example/",
    "http%3A%2F%2Fevil.example%2F")
# ... and as the form's own field posts them, past the web server's URL
# checks.
NEXT_IN_FORMS = (
    "//evil.example/", "/\\evil.example/", "/\\/evil.example/",
    "https://evil.example/", "https:evil.example", "/\t/evil.example/",
    "/\r\n/evil.example/", "/\x00/evil.example/", " //evil.example/",
    "\t//evil.example/", "javascript:alert(1)",
    "http://127.0.0.1.evil.example/")


def autopost(action, fields, enctype=None):
    """An attacker's page that posts FIELDS to ACTION as it loads."""
    inputs = "".join(
        "<input type=hidden name='%s' value='%s'>" % (k, v)
        for k, v in fields)
    enc = "" if enctype is None else " enctype='%s'" % enctype
    return ("<!doctype html><title>prize</title>"
            "<form id=f method=post action='%s'%s>%s</form>"
            "<script>document.getElementById('f').submit()</script>"
            % (action, enc, inputs))


class Attacks(gb.BrowserTest):

    @classmethod
    def setUpClass(cls):
        base = gb.base_url()
        # text/plain form: the body reads as the JSON a password change
        # takes ({"current_password": ..., "new_password": ..., "x": "="}).
        json_name = ('{"current_password": "%s", "new_password": "%s", '
                     '"x": "' % (gb.PASSWORD, NEW_PASSWORD))
        fetches = (
            "<!doctype html><title>prize</title><script>"
            "var body = JSON.stringify({current_password: '%s',"
            " new_password: '%s'});"
            "var u = '%s/api/auth/password';"
            "Promise.allSettled(["
            " fetch(u, {method: 'POST', mode: 'no-cors', credentials:"
            "  'include', headers: {'Content-Type': 'text/plain'}, body: body}),"
            " fetch(u, {method: 'POST', credentials: 'include', headers:"
            "  {'Content-Type': 'application/json', 'X-CSRF-Token': 'guess'},"
            "  body: body})"
            "]).then(function (r) { document.title = 'done ' +"
            " r.map(function (x) { return x.status + ':' +"
            " (x.value ? x.value.status : ''); }).join(' '); });"
            "</script>" % (gb.PASSWORD, NEW_PASSWORD, base))
        cls.attacker = gb.Attacker({
            "logout.html": autopost(base + "/auth/logout", []),
            "logout-guess.html": autopost(base + "/auth/logout",
                                          [("csrf_token", "guessed")]),
            "password-form.html": autopost(
                base + "/api/auth/password", [(json_name, '"}')],
                "text/plain"),
            "password-fetch.html": fetches,
            "frame.html": (
                "<!doctype html><title>frames</title>"
                "<iframe id=login width=600 height=400 src='%s/auth/login'>"
                "</iframe><iframe id=control src='%s/static.txt'></iframe>"
                % (base, base)),
        })
        try:
            super().setUpClass()
        except Exception:
            cls.attacker.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.attacker.stop()

    def wait_for_path(self, prefix):
        """Waits until the browser shows PREFIX of this site, loaded."""
        want = gb.base_url() + prefix
        gb.wait(self.driver, 30).until(
            lambda d: d.current_url.startswith(want) and
            d.execute_script("return document.readyState") == "complete")

    def signed_in_user(self):
        name = gb.new_user("atk")
        self.sign_in(name)
        self.assertEqual(self.signed_in_as(), name)
        return name

    def test_cross_site_form_cannot_sign_out(self):
        name = self.signed_in_user()
        for page in ("logout.html", "logout-guess.html"):
            self.driver.get(self.attacker.url(page))
            self.wait_for_path("/auth/logout")
            self.assertEqual(self.status(), 403, page)
            self.assertEqual(self.signed_in_as(), name, page)

    def test_cross_site_form_cannot_change_the_password(self):
        name = self.signed_in_user()
        self.driver.get(self.attacker.url("password-form.html"))
        self.wait_for_path("/api/auth/password")
        self.assertEqual(self.status(), 403)
        self.assertIn("csrf_failed", self.text())
        self.assert_password_unchanged(name)

    def test_cross_site_fetch_cannot_change_the_password(self):
        name = self.signed_in_user()
        self.driver.get(self.attacker.url("password-fetch.html"))
        gb.wait(self.driver, 30).until(
            lambda d: d.title.startswith("done"))
        self.assert_password_unchanged(name)
        self.assertEqual(self.signed_in_as(), name)
        # The control: the same request from a page of the site (one
        # without the API's CSP, which allows no fetch), with the token,
        # does change it.
        self.go("/static.txt")
        status = self.driver.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "var t = document.cookie.match(/(?:^|; )gh_csrf=([^;]*)/);"
            "fetch('/api/auth/password', {method: 'POST', headers:"
            " {'Content-Type': 'application/json',"
            "  'X-CSRF-Token': t ? t[1] : ''},"
            " body: JSON.stringify({current_password: arguments[0],"
            "  new_password: arguments[1]})})"
            ".then(function (r) { done(r.status); },"
            " function () { done(0); });", gb.PASSWORD, NEW_PASSWORD)
        self.assertEqual(status, 204)
        st, _ = gb.api("POST", "/api/auth/login",
                       {"username": name, "password": NEW_PASSWORD})
        self.assertEqual(st, 200)

    def assert_password_unchanged(self, name):
        st, _ = gb.api("POST", "/api/auth/login",
                       {"username": name, "password": gb.PASSWORD})
        self.assertEqual(st, 200, "the old password no longer works")
        st, _ = gb.api("POST", "/api/auth/login",
                       {"username": name, "password": NEW_PASSWORD})
        self.assertEqual(st, 401, "the attacker's password works")

    def test_cross_site_form_cannot_sign_in_as_someone_else(self):
        # Login CSRF: the attacker's own account, without the token.
        mallory = gb.new_user("mal")
        self.attacker_page = autopost(gb.base_url() + "/auth/login", [
            ("username", mallory), ("password", gb.PASSWORD), ("next", "/")])
        a = gb.Attacker({"login.html": self.attacker_page})
        try:
            self.driver.get(a.url("login.html"))
            self.wait_for_path("/auth/login")
            self.assertEqual(self.status(), 403)
        finally:
            a.stop()
        self.assertNotIn("gh_access", self.cookies())
        self.assertIsNone(self.signed_in_as())

    def test_signin_page_cannot_be_framed(self):
        # Not vacuous: the page is there, with its form, at the top.
        self.go("/auth/login")
        self.on_signin_page()
        self.driver.get(self.attacker.url("frame.html"))
        gb.wait(self.driver, 30).until(
            lambda d: d.execute_script("return document.readyState") ==
            "complete")
        d = self.driver
        # The control: a file of the site without frame-ancestors does
        # show in a frame, so an empty login frame means it was refused.
        d.switch_to.frame(d.find_element(By.ID, "control"))
        self.assertIn("gatehouse static file",
                      d.find_element(By.TAG_NAME, "body").text)
        d.switch_to.default_content()
        d.switch_to.frame(d.find_element(By.ID, "login"))
        self.assertEqual(d.find_elements(By.NAME, "password"), [],
                         "the sign-in form shows inside another site's frame")
        self.assertEqual(d.find_elements(By.TAG_NAME, "form"), [])
        d.switch_to.default_content()

    def assert_signin_stays_on_the_site(self, name, what, bad_form=False):
        self.submit_signin(name, gb.PASSWORD)
        u = urllib.parse.urlsplit(self.driver.current_url)
        if bad_form and self.status() == 400:
            # A form with a NUL byte is refused whole, as any input is.
            self.assertIsNone(self.signed_in_as(), what)
            return
        self.assertFalse(u.path.startswith("/auth/login"),
                         "next=%r: still on the sign-in page (%d)" %
                         (what, self.status()))
        self.assertEqual((u.scheme, u.netloc), ("http", urllib.parse.urlsplit(
            gb.base_url()).netloc), "next=%r left the site for %s" %
            (what, self.driver.current_url))
        self.assertEqual(self.signed_in_as(), name, what)

    def try_next(self, name, query, field=None):
        """Signs in from /auth/login?QUERY (the form's next set to FIELD
        when given) and checks where the browser lands."""
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        self.go("/auth/login" + query)
        if self.status() == 400:
            # The web server refused the link itself (lighttpd: control
            # characters): there is no page to sign in from.
            return
        self.on_signin_page()
        if field is not None:
            self.driver.execute_script(
                "document.querySelector('input[name=next]').value = "
                "arguments[0];", field)
        self.assert_signin_stays_on_the_site(
            name, query if field is None else field,
            field is not None and "\x00" in field)

    def test_crafted_next_in_a_link_cannot_leave_the_site(self):
        name = gb.new_user("nxt")
        for raw in NEXT_IN_LINKS:
            self.try_next(name, "?next=" + raw)

    def test_crafted_next_in_the_form_cannot_leave_the_site(self):
        name = gb.new_user("nxf")
        for value in NEXT_IN_FORMS:
            self.try_next(name, "", value)


if __name__ == "__main__":
    gb.run()
