#!/usr/bin/python3
"""negotiate_backend.py PORT [KEYTAB [BIND_CERT [LOG]]]: a stand-in for IIS
behind the reverse proxy, for the tests: a real GSSAPI acceptor (MIT krb5
through python3-gssapi with KEYTAB, else KRB5_KTNAME; gss-ntlmssp under
SPNEGO with the users in NTLM_USER_FILE), so Kerberos and NTLM both succeed.

Extended Protection (t/chanbind.t): with BIND_CERT ('-' for none) it passes
its own channel bindings, the RFC 5929 tls-server-end-point of that PEM
certificate (its "own" TLS certificate), to gss_accept_sec_context.  A token
bound to another channel then fails with GSS_S_BAD_BINDINGS and the answer
is a bare 401 Negotiate, as IIS gives.  MIT accepts a token that binds
nothing (all-zero Bnd) whatever the acceptor passes, like tokenChecking
"Allow".

NTLM binds the TCP connection and mod_proxy_http does not tie a client's
connection to one backend connection (docs/configuration.md), so the one pending context
of a multi-leg exchange is kept for whichever connection brings the next
leg (a NegTokenResp): right for tests that sign in one client at a time,
never for a real server.

Answers 200 "backend: hello NAME (krb5|ntlm)", or 401.  With LOG, every
verdict is appended to it, one line each: "ACCEPT <client>", "CONTINUE", or
"REJECT[ BAD_BINDINGS] <major status>: <message>"."""
import base64
import hashlib
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gssapi
import gssapi.raw as gr
import gssapi.raw.exceptions

args = sys.argv[1:] + [None] * 3
port, keytab, bind_cert, logpath = int(args[0]), args[1], args[2], args[3]
if keytab:
    os.environ['KRB5_KTNAME'] = keytab
NTLM_OID = '1.3.6.1.4.1.311.2.2.10'


def endpoint_bindings(pem_path):
    """RFC 5929 tls-server-end-point application data for a PEM cert."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    cert = x509.load_pem_x509_certificate(open(pem_path, 'rb').read())
    der = cert.public_bytes(serialization.Encoding.DER)
    alg = cert.signature_hash_algorithm.name
    if alg in ('md5', 'sha1'):
        alg = 'sha256'
    return b'tls-server-end-point:' + hashlib.new(alg, der).digest()


app = endpoint_bindings(bind_cert) if bind_cert and bind_cert != '-' else None
lock = threading.Lock()
pending = [None]


def log(line):
    if logpath:
        with open(logpath, 'a') as f:
            f.write(line + '\n')


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def reply(self, status, body, www=None):
        data = body.encode()
        self.send_response(status)
        if www:
            self.send_header('WWW-Authenticate', www)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        auth = self.headers.get('Authorization', '')
        if not auth.startswith('Negotiate '):
            return self.reply(401, 'backend: sign in\n', 'Negotiate')
        with lock:
            try:
                token = base64.b64decode(auth[10:])
                cb = gr.ChannelBindings(application_data=app) if app is not None else None
                ctx = pending[0] if token[:1] == b'\xa1' else None   # NegTokenResp: the next leg
                pending[0] = None
                r = gr.accept_sec_context(token, gssapi.Credentials(usage='accept'), ctx, cb)
                if r.more_steps:
                    pending[0] = r.context
                    log('CONTINUE')
                    return self.reply(401, 'backend: continue\n',
                                      'Negotiate ' + base64.b64encode(r.token).decode())
            except gssapi.exceptions.GSSError as e:
                bad = ' BAD_BINDINGS' if isinstance(e, gssapi.raw.exceptions.BadChannelBindingsError) else ''
                log('REJECT%s %s: %s' % (bad, e.maj_code, str(e).replace('\n', ' ')))
                return self.reply(401, 'backend: rejected\n', 'Negotiate')
            except Exception as e:          # a token that is not even base64
                log('REJECT %s' % e)
                return self.reply(401, 'backend: rejected\n', 'Negotiate')
        name = gr.display_name(r.initiator_name).name.decode()
        log('ACCEPT %s' % name)
        www = 'Negotiate ' + base64.b64encode(r.token).decode() if r.token else None
        mech = 'ntlm' if r.mech and NTLM_OID in str(r.mech) else 'krb5'
        return self.reply(200, 'backend: hello %s (%s)\n' % (name, mech), www)

    def log_message(self, *a):
        pass


ThreadingHTTPServer(('127.0.0.1', port), Handler).serve_forever()
