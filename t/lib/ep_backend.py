#!/usr/bin/python3
# ep_backend.py PORT KEYTAB [BIND_CERT] LOG: a stand-in for IIS with
# Extended Protection (tokenChecking Require for a client that binds): a
# real GSSAPI acceptor (MIT krb5 through python3-gssapi) that passes its
# own channel bindings, the tls-server-end-point of BIND_CERT (its "own"
# TLS certificate; '-' for none), to gss_accept_sec_context.  A token bound
# to another channel fails there with GSS_S_BAD_BINDINGS, and the answer is
# a bare 401 Negotiate, as IIS gives; success is 200.  MIT accepts a token
# that binds nothing (all-zero Bnd) whatever the acceptor passes, like
# tokenChecking "Allow".  Every verdict is appended to LOG, one line each:
# "ACCEPT <client>" or "REJECT <major status names>: <message>".  NTLM
# (gss-ntlmssp under SPNEGO, NTLM_USER_FILE in the environment) takes two
# legs: the pending context is kept between them (one client at a time;
# the answer to the first leg is 401 with the challenge, "CONTINUE").
import base64
import hashlib
import os
import struct
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gssapi
import gssapi.raw as gr
import gssapi.raw.exceptions

port, keytab, bind_cert, logpath = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
os.environ['KRB5_KTNAME'] = keytab


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


app = endpoint_bindings(bind_cert) if bind_cert != '-' else None
pending = None


def log(line):
    with open(logpath, 'a') as f:
        f.write(line + '\n')


class H(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def reply(self, status, body, www=None):
        self.send_response(status)
        if www:
            self.send_header('WWW-Authenticate', www)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        auth = self.headers.get('Authorization', '')
        if not auth.startswith('Negotiate '):
            return self.reply(401, b'backend: sign in\n', 'Negotiate')
        global pending
        try:
            token = base64.b64decode(auth[10:])
            cb = gr.ChannelBindings(application_data=app) if app is not None else None
            ctx = pending if token[:1] == b'\xa1' else None     # NegTokenResp: the next leg
            pending = None
            r = gr.accept_sec_context(token, gssapi.Credentials(usage='accept'), ctx, cb)
            if r.more_steps:
                pending = r.context
                log('CONTINUE')
                return self.reply(401, b'backend: continue\n',
                                  'Negotiate ' + base64.b64encode(r.token).decode())
        except gssapi.exceptions.GSSError as e:
            bad = ' BAD_BINDINGS' if isinstance(e, gssapi.raw.exceptions.BadChannelBindingsError) else ''
            log('REJECT%s %s: %s' % (bad, e.maj_code, str(e).replace('\n', ' ')))
            return self.reply(401, b'backend: rejected\n', 'Negotiate')
        except Exception as e:          # a token that is not even base64
            log('REJECT %s' % e)
            return self.reply(401, b'backend: rejected\n', 'Negotiate')
        log('ACCEPT %s' % gr.display_name(r.initiator_name).name.decode())
        out = r.token
        www = 'Negotiate ' + base64.b64encode(out).decode() if out else None
        return self.reply(200, b'backend: hello\n', www)

    def log_message(self, *a):
        pass


ThreadingHTTPServer(('127.0.0.1', port), H).serve_forever()
