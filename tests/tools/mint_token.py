#!/usr/bin/python3
"""mint_token: print an HS256 JWT for an exportq stack (stdlib only).

    JWT_SECRET=... /usr/bin/python3 tests/tools/mint_token.py [--role R]... [--user ID]
        [--email E] [--ttl SECONDS] [--secret S]

Claims: userId, email, roles (array), iat, exp.  --role may repeat; the
default is one role, admin, for user dev-admin.  The secret comes from
--secret or the JWT_SECRET environment variable.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import time


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint(secret, claims, alg="HS256"):
    header = {"alg": alg, "typ": "JWT"}
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode())
                     + "." + b64url(json.dumps(claims, separators=(",", ":")).encode()))
    sig = hmac.new(secret.encode(), signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(sig)


def main():
    ap = argparse.ArgumentParser(description="print an HS256 JWT for exportq")
    ap.add_argument("--role", action="append", help="role claim (repeatable; default admin)")
    ap.add_argument("--user", default="dev-admin")
    ap.add_argument("--email", default=None)
    ap.add_argument("--ttl", type=int, default=3600, help="seconds until exp (default 3600)")
    ap.add_argument("--secret", default=None)
    args = ap.parse_args()
    secret = args.secret if args.secret is not None else os.environ.get("JWT_SECRET", "")
    if not secret:
        print("mint_token: no secret (set JWT_SECRET or pass --secret)", file=sys.stderr)
        return 2
    now = int(time.time())
    claims = {
        "userId": args.user,
        "email": args.email if args.email is not None else args.user + "@example.com",
        "roles": args.role or ["admin"],
        "iat": now,
        "exp": now + args.ttl,
    }
    print(mint(secret, claims))
    return 0


if __name__ == "__main__":
    sys.exit(main())
