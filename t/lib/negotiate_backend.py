#!/usr/bin/python3
"""negotiate_backend.py PORT: a Negotiate backend for the tests, standing in
for IIS behind the reverse proxy: a real GSSAPI acceptor (python3-gssapi,
MIT krb5 with the keytab in KRB5_KTNAME, gss-ntlmssp with the users in
NTLM_USER_FILE) behind SPNEGO, so both Kerberos and NTLM (three legs)
succeed.  NTLM binds the TCP connection; mod_proxy_http does not tie a
client's connection to one backend connection (README), so this stand-in
keeps the one pending context of a multi-leg exchange for whichever
connection brings the next leg: right for tests that sign in one client
at a time, never for a real server.  Answers 200 "hello NAME" or 401."""
import base64
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gssapi

lock = threading.Lock()
pending = [None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def send(self, status, body, www=None):
        data = body.encode()
        self.send_response(status)
        if www:
            self.send_header("WWW-Authenticate", www)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Negotiate "):
            return self.send(401, "sign in\n", "Negotiate")
        try:
            tok = base64.b64decode(auth[10:])
        except ValueError:
            return self.send(401, "bad token\n", "Negotiate")
        with lock:
            ctx = pending[0]
            if ctx is None or tok[:1] == b"\x60":      # a NegTokenInit starts afresh
                ctx = gssapi.SecurityContext(usage="accept")
            pending[0] = None
            try:
                out = ctx.step(tok)
            except gssapi.exceptions.GSSError as e:
                return self.send(401, "rejected: %s\n" % e, "Negotiate")
            www = "Negotiate " + base64.b64encode(out).decode() if out else None
            if not ctx.complete:
                pending[0] = ctx
                return self.send(401, "continue\n", www)
        mech = "ntlm" if "1.3.6.1.4.1.311.2.2.10" in str(ctx.mech) else "krb5"
        return self.send(200, "hello %s (%s)\n" % (ctx.initiator_name, mech), www)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
