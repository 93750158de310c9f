#!/usr/bin/python3
"""test_e2e_browser_flow: the sign-in flow in a real browser (headless
chromium), against the stack of tests/with-stack with the authorizer in
front of /members/ (tests/browser/test_e2e_browser_flow.conf): signing
in from the authorizer's redirect, the one generic failure message, the
throttle's 429 page, the silent refresh when the access cookie is gone (dropped, and run
out after the suite's one-minute lifetime),
signing out, and a suspension from another client taking effect at the
next page load.  On every server (shared hosting: the authorizer set up
by .htaccess files).
"""

import os
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import ghbrowser as gb  # noqa: E402
gb.need_browser()
from ghbrowser import By  # noqa: E402

WHOAMI = "/members/cgi/whoami.sh"
ENV = "/members/cgi/env.sh"


class Flow(gb.BrowserTest):

    def assert_redirected_to_signin(self, page):
        self.go(page)
        self.on_signin_page()
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(
            self.driver.current_url).query)
        self.assertEqual(q.get("next"), [page])

    def assert_members_page_for(self, username):
        self.assertEqual(self.path(), WHOAMI)
        self.assertEqual(self.status(), 200)
        self.assertEqual(
            self.driver.find_element(By.ID, "username").text, username)

    def test_members_page_sends_to_signin_and_back_signed_in(self):
        # The one fixed name in the suite, for the screenshots.
        name = gb.new_user(name="alice")
        self.assert_redirected_to_signin(ENV)
        self.screenshot("signin.png")
        self.submit_signin(name, gb.PASSWORD)
        self.assertEqual(self.path(), ENV)
        self.assertIn("GATEHOUSE_USERNAME=%s" % name, self.text())
        # The demo page, as a newcomer sees it.
        self.go(WHOAMI)
        self.assert_members_page_for(name)
        self.screenshot("members.png")

    def test_signin_sets_the_three_cookies(self):
        name = gb.new_user()
        self.sign_in(name)
        c = self.cookies()
        for k in ("gh_access", "gh_refresh", "gh_csrf"):
            self.assertIn(k, c)
        self.assertEqual(self.signed_in_as(), name)

    def test_wrong_password_gets_one_generic_message(self):
        name = gb.new_user()
        self.go("/auth/login")
        self.submit_signin(name, "not-" + gb.PASSWORD)
        self.on_signin_page()
        self.assertEqual(self.status(), 401)
        wrong_password = self.text()
        self.go("/auth/login")
        self.submit_signin("nobody" + name, gb.PASSWORD)
        self.on_signin_page()
        self.assertEqual(self.status(), 401)
        # The same page whether the account exists or not, and no word
        # pointing at one field.
        self.assertEqual(self.text(), wrong_password)
        low = wrong_password.lower()
        for hint in ("unknown user", "no such user", "not found",
                     "wrong password", "incorrect password",
                     "password is", "username is", "does not exist"):
            self.assertNotIn(hint, low)
        self.assertNotIn("gh_access", self.cookies())

    def test_throttled_account_gets_the_429_page(self):
        name = gb.new_user()
        seen = []
        for _ in range(6):
            self.go("/auth/login")
            self.submit_signin(name, "not-" + gb.PASSWORD)
            seen.append(self.status())
            if seen[-1] == 429:
                break
        self.assertEqual(seen[-1], 429, "statuses: %s" % seen)
        self.assertTrue(all(s == 401 for s in seen[:-1]), seen)
        # The right password is refused too while the account is held.
        self.go("/auth/login")
        self.submit_signin(name, gb.PASSWORD)
        self.assertEqual(self.status(), 429)
        self.assertNotIn("gh_access", self.cookies())

    def test_expired_access_cookie_refreshes_silently(self):
        # The access cookie lives as long as the token (Max-Age), so a
        # browser whose token ran out simply no longer sends it: deleting
        # it is that moment, without waiting the minute the shortest
        # access_token_expire_minutes takes.
        name = gb.new_user()
        self.sign_in(name, WHOAMI)
        self.assert_members_page_for(name)
        before = self.cookies()
        self.driver.execute_cdp_cmd("Network.deleteCookies", {
            "name": "gh_access", "url": gb.base_url() + "/"})
        self.assertNotIn("gh_access", self.cookies())
        # The authorizer's 302 to /auth/login?next=..., whose gh_refresh
        # rotates the pair and 303s back: no form on the way.
        self.go(WHOAMI)
        self.assert_members_page_for(name)
        after = self.cookies()
        self.assertIn("gh_access", after)
        self.assertNotEqual(after["gh_refresh"], before["gh_refresh"],
                            "the refresh cookie was not rotated")

    def test_access_token_that_ran_out_refreshes_silently(self):
        # The suite's access tokens live one minute (the shortest
        # access_token_expire_minutes): wait it out for real, once.
        name = gb.new_user()
        self.sign_in(name, WHOAMI)
        self.assert_members_page_for(name)
        before = self.cookies()
        deadline = time.monotonic() + 90
        while "gh_access" in self.cookies():
            self.assertLess(time.monotonic(), deadline,
                            "the browser kept gh_access past its Max-Age")
            time.sleep(1)
        # Expired at the server too, not only dropped by the browser.
        while gb.api("GET", "/api/auth/me",
                     token=before["gh_access"])[0] != 401:
            self.assertLess(time.monotonic(), deadline,
                            "the access token outlived its minute")
            time.sleep(1)
        self.go(WHOAMI)
        self.assert_members_page_for(name)
        after = self.cookies()
        self.assertIn("gh_access", after)
        self.assertNotEqual(after["gh_refresh"], before["gh_refresh"],
                            "the refresh cookie was not rotated")
        st, me = gb.api("GET", "/api/auth/me", token=after["gh_access"])
        self.assertEqual((st, me["username"]), (200, name))

    def test_signing_out_sends_the_next_page_to_signin(self):
        name = gb.new_user()
        self.sign_in(name, WHOAMI)
        self.assert_members_page_for(name)
        button = self.driver.find_element(
            By.XPATH, "//form[@action='/auth/logout']//button")
        button.click()
        self.wait_for_page(button)
        self.on_signin_page()
        self.assertNotIn("gh_access", self.cookies())
        self.assertNotIn("gh_refresh", self.cookies())
        self.assert_redirected_to_signin(WHOAMI)

    def test_signing_out_ends_the_session_for_the_api(self):
        name = gb.new_user()
        self.sign_in(name)
        self.assertEqual(self.signed_in_as(), name)
        old = self.cookies()
        # A page of this site posting the form, as the demo page does.
        page = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.execute_script(
            "var f = document.createElement('form');"
            "f.method = 'post'; f.action = '/auth/logout';"
            "var i = document.createElement('input');"
            "i.type = 'hidden'; i.name = 'csrf_token'; i.value = arguments[0];"
            "f.appendChild(i); document.body.appendChild(f); f.submit();",
            old["gh_csrf"])
        self.wait_for_page(page)
        self.on_signin_page()
        self.assertIsNone(self.signed_in_as())
        # The old access token is dead too, not only forgotten.
        st, _ = gb.api("GET", "/api/auth/me", token=old["gh_access"])
        self.assertEqual(st, 401)

    def test_suspension_by_an_admin_redirects_the_next_page_load(self):
        name = gb.new_user()
        self.sign_in(name, WHOAMI)
        self.assert_members_page_for(name)
        gb.cli("user", "suspend", name)
        self.assert_redirected_to_signin(WHOAMI)
        # And the refresh cookie does not sign a suspended user back in.
        self.go("/auth/login?next=" + urllib.parse.quote(WHOAMI, safe=""))
        self.on_signin_page()


if __name__ == "__main__":
    gb.run()
