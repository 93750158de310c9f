#!/usr/bin/python3
"""
pyjwt_verify: an outside service's check of a gatehouse token, with
PyJWT's PyJWKClient and with jwcrypto, both given only the JWKS URL.

usage: pyjwt_verify.py JWKS_URL TOKEN ISSUER ALG

Promises: exit 0 only when both libraries verify TOKEN's signature with
a key fetched from JWKS_URL, its algorithm is ALG and its issuer ISSUER;
exit 1 (and a line on stderr) when either refuses it.  Nothing of the
token is printed.
"""
import json
import sys
import urllib.request

import jwt
from jwcrypto import jwk as cjwk
from jwcrypto import jwt as cjwt


def pyjwt_check(url, token, issuer, alg):
    client = jwt.PyJWKClient(url)
    key = client.get_signing_key_from_jwt(token)
    # The audience is gatehouse's business here, not this check's.
    jwt.decode(token, key.key, algorithms=[alg], issuer=issuer,
               options={"require": ["exp", "iss", "sub"],
                        "verify_aud": False})


def jwcrypto_check(url, token, issuer, alg):
    with urllib.request.urlopen(url, timeout=10) as r:
        keys = cjwk.JWKSet.from_json(r.read())
    t = cjwt.JWT(jwt=token, key=keys, algs=[alg],
                 check_claims={"iss": issuer, "exp": None})
    claims = json.loads(t.claims)
    if claims.get("iss") != issuer:
        raise ValueError("issuer")


def main():
    if len(sys.argv) != 5:
        print("usage: pyjwt_verify.py JWKS_URL TOKEN ISSUER ALG",
              file=sys.stderr)
        return 2
    url, token, issuer, alg = sys.argv[1:]
    for name, check in (("pyjwt", pyjwt_check),
                        ("jwcrypto", jwcrypto_check)):
        try:
            check(url, token, issuer, alg)
        except Exception as e:  # any refusal is a refusal
            print("%s: refused: %s" % (name, type(e).__name__),
                  file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
