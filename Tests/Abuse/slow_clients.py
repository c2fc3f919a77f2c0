"""Opens many connections that send half a request head and stall (slowloris), then makes one
real request, then waits past the server's idle timeout and counts the stalled connections the
server closed. Prints one JSON line: status and seconds of the real request, connections closed.

usage: slow_clients.py PORT COUNT IDLE_SECONDS TOKEN
"""
import json
import socket
import sys
import time
import urllib.request

port, count, idle, token = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
stalled = []
for _ in range(count):
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    connection.sendall(b"GET /v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ")
    stalled.append(connection)

start = time.monotonic()
request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/cases", headers={"Authorization": f"Bearer {token}"})
with urllib.request.urlopen(request, timeout=10) as reply:
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
    except ConnectionResetError:
        closed += 1
    except socket.timeout:
        pass
    connection.close()
print(json.dumps({"status": status, "answered": round(answered, 3), "closed": closed}))
