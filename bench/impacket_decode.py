#!/usr/bin/python3
"""impacket_decode.py TOKENDIR...: the reference decoder for bench/run.

Decodes the same tokens as bench/decode_bench with python3-impacket
(SPNEGO, Kerberos AP-REQ/AP-REP/KRB-ERROR via pyasn1, NTLMSSP), pulling out
the same facts (realm, sname, etype, kvno, NTLM type), and prints
tokens/s.  Run with Debian's /usr/bin/python3 (apt: python3-impacket)."""
import base64, os, sys, time
from pyasn1.codec.der import decoder
from impacket import spnego, ntlm
from impacket.krb5.asn1 import AP_REQ, AP_REP, KRB_ERROR

def load(dirs):
    toks = []
    for d in dirs:
        for name in sorted(os.listdir(d)):
            if name.startswith('.') or name.endswith(('.json', '.keytab', '.key.b64')):
                continue
            raw = open(os.path.join(d, name), 'rb').read()
            if name.endswith('.b64'):
                toks.append(raw.strip())
            elif 0 < len(raw) < 60000:
                toks.append(base64.b64encode(raw))
    return toks

SPNEGO_OID = b'\x2b\x06\x01\x05\x05\x02'

def gss(data):
    """(OID bytes, inner token) of a GSS initial-context token (0x60 len OID ...)."""
    n = data[1]
    i = 2 + (n & 0x7f if n & 0x80 else 0)
    oid_len = data[i + 1]
    return data[i + 2:i + 2 + oid_len], data[i + 2 + oid_len:]

def der_skip_gss(data):
    return gss(data)[1]

def krb5(inner):
    tok_id, body = inner[:2], inner[2:]
    if tok_id == b'\x01\x00':
        ap = decoder.decode(body, asn1Spec=AP_REQ())[0]
        t = ap['ticket']
        return (str(t['realm']), '/'.join(str(c) for c in t['sname']['name-string']),
                int(t['enc-part']['etype']), t['enc-part']['kvno'])
    if tok_id == b'\x02\x00':
        return decoder.decode(body, asn1Spec=AP_REP())[0]['msg-type']
    return int(decoder.decode(body, asn1Spec=KRB_ERROR())[0]['error-code'])

def ntlm_facts(data):
    t = data[8]
    cls = {1: ntlm.NTLMAuthNegotiate, 2: ntlm.NTLMAuthChallenge, 3: ntlm.NTLMAuthChallengeResponse}[t]
    m = cls()
    m.fromString(data)
    return t, m['flags']

def decode(b64):
    data = base64.b64decode(b64, validate=True)
    if data.startswith(b'NTLMSSP\x00'):
        return ntlm_facts(data)
    if data[0] == 0x60:
        oid, inner = gss(data)
        if oid == SPNEGO_OID:
            init = spnego.SPNEGO_NegTokenInit(data)
            mt = init.fields.get('MechToken', b'')
            if mt.startswith(b'NTLMSSP\x00'):
                return ntlm_facts(mt)
            return krb5(der_skip_gss(mt)) if mt and mt[0] == 0x60 else init['MechTypes']
        return krb5(inner)
    if data[0] == 0xa1:
        resp = spnego.SPNEGO_NegTokenResp(data)
        rt = resp.fields.get('ResponseToken', b'')
        if rt.startswith(b'NTLMSSP\x00'):
            return ntlm_facts(rt)
        return krb5(der_skip_gss(rt)) if rt and rt[0] == 0x60 else resp['NegState']
    if data[0] == 0x6e:
        return decoder.decode(data, asn1Spec=AP_REQ())[0]['msg-type']
    raise ValueError('unknown token')

def main():
    toks = load(sys.argv[1:])
    errors = 0
    for t in toks:
        try:
            decode(t)
        except Exception:
            errors += 1
    rounds, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 3.0:
        for t in toks:
            try:
                decode(t)
            except Exception:
                pass
        rounds += 1
    dt = time.perf_counter() - t0
    print("impacket: %d tokens x %d rounds (%d raise on its parsers)" % (len(toks), rounds, errors))
    print("  full decode: %8.0f ns/token, %.0f tokens/s" % (dt * 1e9 / (rounds * len(toks)),
                                                        rounds * len(toks) / dt))

main()
