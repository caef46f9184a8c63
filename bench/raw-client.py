#!/usr/bin/python3
"""The floor of a client: replays one pre-encoded GIOP request (from bench/raw-request.ts) on a blocking TCP socket,
one call at a time, reading each reply by its GIOP header and nothing more (no decoding, no Tango code at all).
Same loop and JSON as tango-reference/tools/bench.py. What it measures is the server plus the loopback round trip:
no client, in any language, can do a sequential call faster against that server.
Usage: raw-client.py '<json from raw-request.ts>' [seconds]"""
import json
import socket
import sys

from benchloop import measure, report

spec = json.loads(sys.argv[1])
dur = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
req = bytes.fromhex(spec["request_hex"])
s = socket.create_connection((spec["host"], spec["port"]))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def recv_exact(n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise RuntimeError("server closed the connection")
        buf += chunk
    return buf


def call():
    s.sendall(req)
    hdr = recv_exact(12)
    if hdr[:4] != b"GIOP" or hdr[7] != 1:
        raise RuntimeError("not a GIOP Reply: %r" % hdr)
    body = recv_exact(int.from_bytes(hdr[8:12], "little" if hdr[6] & 1 else "big"))
    status = int.from_bytes(body[4:8], "little" if hdr[6] & 1 else "big")
    if status != 0:
        raise RuntimeError("reply status %d (expected NO_EXCEPTION)" % status)


report(measure(call, dur))
