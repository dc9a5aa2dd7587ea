#!/usr/bin/env python3
"""garble-proxy.py - a TCP proxy that damages what a server sends (t0402).

    garble-proxy.py PORTFILE UPSTREAM_PORT OFFSET

Listens on a free loopback port (written to PORTFILE once listening) and
forwards every connection to 127.0.0.1:UPSTREAM_PORT; in the server's
reply stream of each connection the byte at OFFSET (counted from the
connection's first byte) has its bits flipped, so a client sees a
well-formed connection whose one reply is garbled, as a faulty network
or a hostile server would make it.  Runs until killed.
"""
import os
import socket
import sys
import threading

portfile, upstream, offset = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def pump(src, dst, garble):
    seen = 0
    try:
        while True:
            d = src.recv(65536)
            if not d:
                break
            if garble and seen <= offset < seen + len(d):
                d = bytearray(d)
                d[offset - seen] ^= 0x5A
                d = bytes(d)
            seen += len(d)
            dst.sendall(d)
    except OSError:
        pass
    for s in (dst, src):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(64)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % ls.getsockname()[1])
os.rename(portfile + ".tmp", portfile)
while True:
    c, _ = ls.accept()
    try:
        u = socket.create_connection(("127.0.0.1", upstream))
    except OSError:
        c.close()
        continue
    threading.Thread(target=pump, args=(c, u, False), daemon=True).start()
    threading.Thread(target=pump, args=(u, c, True), daemon=True).start()
