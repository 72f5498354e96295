#!/usr/bin/python3
"""A minimal token service for Distribution's `auth: token` (the Docker token protocol), for the
tests only: https://distribution.github.io/distribution/spec/auth/token/ and .../auth/jwt/.

GET /token?service=S&scope=repository:NAME:ACTIONS with HTTP Basic credentials equal to the
user and password given on the command line answers {"token": JWT}; the JWT (RS256) carries the
signing certificate in its x5c header, which the registry checks against its rootcertbundle.
Anything else: 401. Usage: registry-token-server.py PORT KEY.pem CERT.pem ISSUER USER PASSWORD_FILE
"""
import base64
import http.server
import json
import secrets
import sys
import time
import urllib.parse

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

port, key_file, cert_file, issuer, user, password_file = sys.argv[1:7]
key = open(key_file, "rb").read()
certificate = x509.load_pem_x509_certificate(open(cert_file, "rb").read())
chain = [base64.b64encode(certificate.public_bytes(Encoding.DER)).decode()]
password = open(password_file).read()


class TokenHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def refuse(self):
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="rigcheck-token"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path != "/token":
            return self.refuse()
        header = self.headers.get("Authorization", "")
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        if not secrets.compare_digest(header, expected):
            return self.refuse()
        query = urllib.parse.parse_qs(url.query)
        access = []
        for scope in query.get("scope", []):
            for item in scope.split(" "):
                kind, _, rest = item.partition(":")
                name, _, actions = rest.rpartition(":")
                access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        claims = {"iss": issuer, "sub": user, "aud": query.get("service", [""])[0], "exp": now + 300, "nbf": now - 10,
                  "iat": now, "jti": secrets.token_hex(8), "access": access}
        token = jwt.encode(claims, key, algorithm="RS256", headers={"x5c": chain})
        body = json.dumps({"token": token, "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), TokenHandler).serve_forever()
