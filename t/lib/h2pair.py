#!/usr/bin/python3
# h2pair.py HOST PORT PATH: requests on ONE h2c connection (prior
# knowledge), one after the other, each given on stdin as a line
# "user-agent<TAB>authorization" (authorization may be empty).  Prints, for
# each, "status<TAB>base64(body)".  (curl 7.88 cannot reuse an h2c
# connection across URLs; this is python3-h2's state machine on a socket.)
import base64
import socket
import sys

import h2.config
import h2.connection
import h2.events

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sock = socket.create_connection(("127.0.0.1", port), timeout=20)
conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
conn.initiate_connection()
sock.sendall(conn.data_to_send())
for line in sys.stdin:
    ua, _, auth = line.rstrip("\n").partition("\t")
    sid = conn.get_next_available_stream_id()
    headers = [(":method", "GET"), (":path", path), (":scheme", "http"),
               (":authority", "%s:%d" % (host, port)), ("user-agent", ua)]
    if auth:
        headers.append(("authorization", auth))
    conn.send_headers(sid, headers, end_stream=True)
    sock.sendall(conn.data_to_send())
    status, body, done = "0", b"", False
    while not done:
        data = sock.recv(65536)
        if not data:
            break
        for ev in conn.receive_data(data):
            if isinstance(ev, h2.events.ResponseReceived) and ev.stream_id == sid:
                status = dict(ev.headers).get(b":status", b"0").decode()
            elif isinstance(ev, h2.events.DataReceived) and ev.stream_id == sid:
                body += ev.data
                conn.acknowledge_received_data(ev.flow_controlled_length, sid)
            elif isinstance(ev, h2.events.StreamEnded) and ev.stream_id == sid:
                done = True
        sock.sendall(conn.data_to_send())
    print("%s\t%s" % (status, base64.b64encode(body).decode()), flush=True)
conn.close_connection()
sock.sendall(conn.data_to_send())
sock.close()
