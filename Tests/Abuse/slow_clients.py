"""Opens many connections that stall (slowloris), then makes one real request, then waits past
the server's idle timeout and counts the stalled connections the server closed. Prints one JSON
line: status and seconds of the real request, connections closed.

Over https (a CA file given), every other stalled connection never starts its TLS handshake and
the rest finish it and send half a request head; over http, each sends half a request head.

usage: slow_clients.py BASE_URL COUNT IDLE_SECONDS TOKEN [CA_FILE]
"""
import json
import socket
import ssl
import sys
import time
import urllib.parse
import urllib.request

base, count, idle, token = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
tls = ssl.create_default_context(cafile=sys.argv[5]) if len(sys.argv) > 5 else None
address = urllib.parse.urlsplit(base)
stalled = []
for index in range(count):
    connection = socket.create_connection((address.hostname, address.port), timeout=5)
    if tls is not None:
        if index % 2 == 0:
            stalled.append(connection)
            continue
        connection = tls.wrap_socket(connection, server_hostname=address.hostname)
    connection.sendall(b"GET /v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ")
    stalled.append(connection)

start = time.monotonic()
request = urllib.request.Request(f"{base}/v1/cases", headers={"Authorization": f"Bearer {token}"})
with urllib.request.urlopen(request, timeout=10, context=tls) as reply:
    status = reply.status
    reply.read()
answered = time.monotonic() - start

time.sleep(idle + 2)
closed = 0
for connection in stalled:
    connection.settimeout(1)
    try:
        if connection.recv(1) == b"":
            closed += 1
    except (ConnectionResetError, ssl.SSLError):
        closed += 1
    except socket.timeout:
        pass
    connection.close()
print(json.dumps({"status": status, "answered": round(answered, 3), "closed": closed}))
