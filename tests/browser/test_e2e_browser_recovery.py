#!/usr/bin/python3
"""test_e2e_browser_recovery: a forgotten password in a real browser
(headless chromium), with real mail (tests/mailsink) and the authorizer
in front of /members/ (tests/browser/test_e2e_browser_recovery.conf):
from the sign-in page's "Forgot your password?" to the mail's link, a
new password, and signing in with it; the old password fails and the
link does not work twice.  On every server.
"""

import os
import secrets
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import ghbrowser as gb  # noqa: E402
gb.need_browser()
from ghbrowser import By  # noqa: E402

WHOAMI = "/members/cgi/whoami.sh"
NEWPW = "a brand new password 1"
MAIL_WAIT = 30


def new_user_with_email():
    name = "br%s" % secrets.token_hex(5)
    email = "%s@example.com" % name
    st, body = gb.api("POST", "/api/auth/register", {
        "username": name, "password": gb.PASSWORD, "email": email})
    assert st == 201, "register: %s %s" % (st, body)
    # Message 1 is the registration's verification link.
    assert gb.mail_wait(email, 1, MAIL_WAIT), "no verification message"
    return name, email


class Recovery(gb.BrowserTest):

    def submit(self, field, value):
        """Types VALUE into FIELD of the page's form, submits it, and
        waits for the answer."""
        d = self.driver
        el = d.find_element(By.NAME, field)
        el.clear()
        el.send_keys(value)
        form = el.find_element(By.XPATH, "ancestor::form")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        self.wait_for_page(form)

    def test_forgotten_password_by_mail_then_sign_in(self):
        name, email = new_user_with_email()
        self.go(WHOAMI)
        self.on_signin_page()
        link = self.driver.find_element(By.LINK_TEXT,
                                        "Forgot your password?")
        link.click()
        gb.wait(self.driver, 60).until(
            lambda d: self.path() == "/auth/forgot")
        self.submit("username", name)
        self.assertEqual(self.status(), 200)
        self.assertIn("If an account matches", self.text())
        msg = gb.mail_wait(email, 2, MAIL_WAIT)
        self.assertIsNotNone(msg, "no reset message to %s" % email)
        url = gb.mail_link(msg, "/auth/reset?token=")
        self.assertIsNotNone(url, "no reset link in: %s" % msg)
        self.driver.get(url)
        self.assertEqual(self.status(), 200)
        self.assertTrue(self.driver.find_elements(By.NAME, "token"))
        self.screenshot("reset.png")
        self.submit("password", NEWPW)
        self.assertEqual(self.status(), 200)
        self.assertIn("Your password was changed", self.text())
        # No sign-in came with it.
        self.assertNotIn("gh_access", self.cookies())
        self.driver.find_element(By.LINK_TEXT, "Sign in").click()
        gb.wait(self.driver, 60).until(
            lambda d: self.path().startswith("/auth/login"))
        # The old password fails.
        self.submit_signin(name, gb.PASSWORD)
        self.assertEqual(self.status(), 401)
        self.on_signin_page()
        # The new one signs in, on to the members' page.
        self.go(WHOAMI)
        self.on_signin_page()
        self.submit_signin(name, NEWPW)
        self.assertEqual(self.path(), WHOAMI)
        self.assertEqual(
            self.driver.find_element(By.ID, "username").text, name)
        # The link does not work a second time.
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        self.driver.get(url)
        self.submit("password", NEWPW + "x")
        self.assertEqual(self.status(), 400)
        self.assertTrue(self.driver.find_elements(
            By.CSS_SELECTOR, "a[href='/auth/forgot']"))


if __name__ == "__main__":
    gb.run()
