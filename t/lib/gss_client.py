#!/usr/bin/python3
# gss_client.py HOST PORT CAFILE SPN PATH [nobind|spnego]: a GSSAPI client
# (MIT krb5 through python3-gssapi; "spnego": SPNEGO, which is NTLM through
# gss-ntlmssp when there is no Kerberos ticket, legs repeated on the same
# connection while the server continues) that speaks HTTPS to HOST (connected at
# 127.0.0.1:PORT), binds its Kerberos token to the certificate it was
# served (RFC 5929 tls-server-end-point, as Windows does under Extended
# Protection) unless "nobind", and sends GET PATH with it.  Prints one JSON
# object: status, www, body, the token sent, the application data's
# tls-server-end-point hash and the RFC 4121 MD5 of the bindings, as
# computed here (independently of spn_cbt.c).
import base64
import hashlib
import http.client
import json
import socket
import ssl
import struct
import sys

import gssapi
import gssapi.raw as gr
from cryptography import x509

host, port, cafile, spn = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
path = sys.argv[5]
opt = sys.argv[6] if len(sys.argv) > 6 else ''
bind = opt != 'nobind'
mech = gssapi.OID.from_int_seq('1.3.6.1.5.5.2') if opt == 'spnego' else None

ctxt = ssl.create_default_context(cafile=cafile)
conn = http.client.HTTPSConnection(host, port, context=ctxt, timeout=20)
conn.sock = ctxt.wrap_socket(socket.create_connection(('127.0.0.1', port), timeout=20),
                             server_hostname=host)
der = conn.sock.getpeercert(binary_form=True)
alg = x509.load_der_x509_certificate(der).signature_hash_algorithm.name
if alg in ('md5', 'sha1'):
    alg = 'sha256'
app = b'tls-server-end-point:' + hashlib.new(alg, der).digest()
md5 = hashlib.md5(struct.pack('<IIIII', 0, 0, 0, 0, len(app)) + app).hexdigest()
cb = gr.ChannelBindings(application_data=app) if bind else None
name = gssapi.Name(spn, gssapi.NameType.hostbased_service)
ctx = gssapi.SecurityContext(name=name, usage='initiate', channel_bindings=cb, mech=mech,
                             flags=gssapi.RequirementFlag.mutual_authentication |
                             gssapi.RequirementFlag.integrity |
                             gssapi.RequirementFlag.out_of_sequence_detection)
out = ctx.step()
legs = 0
while True:
    legs += 1
    token = base64.b64encode(out).decode()
    conn.request('GET', path, headers={'Authorization': 'Negotiate ' + token, 'Host': host})
    r = conn.getresponse()
    body = r.read().decode('utf-8', 'replace')
    www = [w for w in (r.headers.get_all('WWW-Authenticate') or []) if w.startswith('Negotiate ')]
    if r.status != 401 or not www or ctx.complete or legs > 3:
        break
    out = ctx.step(base64.b64decode(www[0][10:]))
print(json.dumps({'status': r.status, 'www': r.headers.get_all('WWW-Authenticate') or [],
                  'body': body, 'token': token, 'hash': hashlib.new(alg, der).hexdigest(),
                  'hash_alg': alg, 'md5': md5 if bind else None, 'legs': legs}))
