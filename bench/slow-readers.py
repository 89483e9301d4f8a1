#!/usr/bin/env python3
"""Clients that ask for large answers and do not read them.

    python3 bench/slow-readers.py HOST:PORT CLIENTS SECONDS

Opens CLIENTS connections, each asking a distinct box of the map data
with limit=50000 (about 14 MB each on the benchmark registry), with a
4 KiB receive buffer; reads only the status line of each answer, then
holds every connection open for SECONDS without reading more. Prints the
status codes seen, as `N x CODE`.
"""
import socket
import sys
import time
from collections import Counter

host, port = sys.argv[1].rsplit(":", 1)
clients, seconds = int(sys.argv[2]), float(sys.argv[3])
socks = []
for i in range(clients):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((host, int(port)))
    east = 7.5 + i / 100
    s.sendall(
        f"GET /api/v1/places.geojson?bbox=-4.5,43,{east:.2f},50.5&limit=50000 HTTP/1.1\r\n"
        f"Host: {host}\r\n\r\n".encode()
    )
    socks.append(s)
codes = Counter()
for s in socks:
    s.settimeout(30)
    try:
        head = s.recv(64).decode("latin-1")
        codes[head.split(" ")[1] if " " in head else "none"] += 1
    except OSError:
        codes["none"] += 1
time.sleep(seconds)
print(", ".join(f"{n} x {c}" for c, n in sorted(codes.items())))
for s in socks:
    s.close()
