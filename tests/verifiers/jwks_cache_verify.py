#!/usr/bin/python3
"""
jwks_cache_verify: an outside service checking a stream of gatehouse
tokens offline, as a resource server does: PyJWT verifies each with
one cached copy of the JWKS, kept exactly as long as the answer's
Cache-Control max-age says (counted from when the request was sent, as
RFC 9111 counts a response's age), then fetched again.  A token whose
kid the cached set lacks is refused: an unknown kid is never a reason
to fetch early.  That is what makes this a test of the rotation
protocol (docs/API.md): a new key must be in every such cache before it
signs, and a superseded key must stay in the set while its tokens live.

usage: jwks_cache_verify.py JWKS_URL ISSUER ALG

Each line of stdin: TOKEN SENT_NS, SENT_NS the CLOCK_MONOTONIC time in
nanoseconds at which the token was handed over (Python's
time.monotonic_ns() reads the same clock), so the lag between a token's
issue and its check is known: a check long after the issue would hide a
key that signs early.

Promises: "ready" on a line of its own once the JWKS is first fetched;
then, at the end of stdin, one JSON object on a line: "verified"
and "failed" (token counts), "fetches" (JWKS requests), "max_age" (the
distinct max-age values seen), "kids" (the distinct kids of verified
tokens), "max_lag_ms" and "failures" (the first few reasons, never a
token).  Exit 0 then; 1 when the JWKS could not be fetched or had no
max-age (the contract requires one), with a line on stderr; 2 on a
usage error.
"""
import json
import re
import sys
import time
import urllib.request

import jwt

FAILURES_KEPT = 10


class Fatal(Exception):
    pass


class Cache:
    """The JWKS, fetched again only once max-age has passed."""

    def __init__(self, url):
        self.url = url
        self.keys = None
        self.expires = 0
        self.fetches = 0
        self.sent = 0
        self.max_ages = set()

    def get(self):
        if self.keys is not None and time.monotonic() < self.expires:
            return self.keys
        sent = time.monotonic()
        try:
            with urllib.request.urlopen(self.url, timeout=10) as r:
                body = r.read()
                cc = r.headers.get("Cache-Control", "")
        except OSError as e:
            raise Fatal("fetching the JWKS: %s" % e)
        m = re.search(r"(?:^|[,\s])max-age=(\d+)", cc)
        if m is None:
            raise Fatal("the JWKS has no max-age: %r" % cc)
        age = int(m.group(1))
        self.max_ages.add(age)
        self.keys = jwt.PyJWKSet.from_json(body.decode())
        self.expires = sent + age
        self.sent = int(sent * 1e9)
        self.fetches += 1
        return self.keys


def main():
    if len(sys.argv) != 4:
        print("usage: jwks_cache_verify.py JWKS_URL ISSUER ALG",
              file=sys.stderr)
        return 2
    url, issuer, alg = sys.argv[1:]
    cache = Cache(url)
    verified = failed = 0
    kids = set()
    failures = []
    max_lag = 0
    try:
        cache.get()
        # Loaded and fetched: the tokens' lag is from here on ours.
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        for line in sys.stdin:
            parts = line.split()
            if len(parts) != 2:
                continue
            token, sent = parts[0], int(parts[1])
            keys = cache.get()
            max_lag = max(max_lag, time.monotonic_ns() - sent)
            try:
                kid = jwt.get_unverified_header(token).get("kid")
                key = next((k for k in keys.keys if k.key_id == kid), None)
                if key is None:
                    raise ValueError("kid %s is not in the set fetched "
                                     "at %d ns, the token handed over at "
                                     "%d ns" % (kid, cache.sent, sent))
                # The audience is gatehouse's business, not this check's.
                jwt.decode(token, key.key, algorithms=[alg], issuer=issuer,
                           options={"require": ["exp", "iss", "sub"],
                                    "verify_aud": False})
            except Exception as e:  # any refusal is a failure
                failed += 1
                if len(failures) < FAILURES_KEPT:
                    failures.append("%s: %s" % (type(e).__name__, e))
                continue
            verified += 1
            kids.add(kid)
    except Fatal as e:
        print("jwks_cache_verify: %s" % e, file=sys.stderr)
        return 1
    json.dump({"verified": verified, "failed": failed,
               "fetches": cache.fetches,
               "max_age": sorted(cache.max_ages),
               "kids": sorted(kids),
               "max_lag_ms": max_lag // 1000000,
               "failures": failures}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
