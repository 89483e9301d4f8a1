#!/usr/bin/env python3
"""Proposals and moderation decisions at a steady rate, over HTTP.

    python3 bench/contribute-writes.py HOST:PORT RATE SECONDS PASSWORD \
        MODERATOR_EMAIL CONTRIBUTOR_EMAIL...

Signs every account in through /connexion (with the form's anti-forgery
token), then for SECONDS sends RATE requests a second, alternating: a
contributor proposes a commons through /proposer/commons, the moderator
accepts the previous proposal through /moderation/N/accepter. Contributors
take turns, so that none reaches the proposals' rate limit (60 an hour).
Prints one JSON line: proposals and decisions made, errors, and the
latency percentiles of the writes (ms).
"""
import http.client
import json
import re
import sys
import time
import urllib.parse

host, port = sys.argv[1].rsplit(":", 1)
rate, seconds, password = float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
moderator_email, contributor_emails = sys.argv[5], sys.argv[6:]


class Session:
    def __init__(self):
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        self.cookies = {}

    def request(self, method, path, fields=None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        res = self.conn.getresponse()
        text = res.read().decode("utf-8", "replace")
        for name, value in res.getheaders():
            if name.lower() == "set-cookie":
                k, v = value.split(";", 1)[0].split("=", 1)
                if v:
                    self.cookies[k] = v
                else:
                    self.cookies.pop(k, None)
        return res.status, res.getheader("Location") or "", text

    def csrf(self, path):
        status, _, text = self.request("GET", path)
        m = re.search(r'name="csrf" value="([^"]+)"', text)
        if status != 200 or not m:
            raise SystemExit(f"{path}: {status}, no form")
        return m.group(1)

    def sign_in(self, email):
        token = self.csrf("/connexion")
        status, location, _ = self.request(
            "POST", "/connexion", {"csrf": token, "email": email, "password": password, "next": "/compte"}
        )
        if status != 303:
            raise SystemExit(f"sign-in of {email}: {status}")
        self.token = self.csrf("/compte")


moderator = Session()
moderator.sign_in(moderator_email)
contributors = []
for email in contributor_emails:
    s = Session()
    s.sign_in(email)
    contributors.append(s)

# Say when the writes begin (the caller starts its reads then).
ready = __import__("os").environ.get("READY")
if ready:
    open(ready, "w").close()
made = {"proposals": 0, "decisions": 0, "errors": 0}
latencies = []
pending = []
interval = 1.0 / rate
start = time.monotonic()
n = 0
while True:
    due = start + n * interval
    now = time.monotonic()
    if due - start >= seconds:
        break
    if due > now:
        time.sleep(due - now)
    t = time.monotonic()
    if n % 2 == 0 or not pending:
        c = contributors[(n // 2) % len(contributors)]
        status, location, _ = c.request(
            "POST", "/proposer/commons",
            {"csrf": c.token, "name": f"Commun proposé {n} {time.time_ns()}", "kind": "software",
             "description": "Un commun proposé pendant le banc d'essai."},
        )
        m = re.search(r"proposition=(\d+)", location)
        if status == 303 and m:
            made["proposals"] += 1
            pending.append(m.group(1))
        else:
            made["errors"] += 1
    else:
        pid = pending.pop(0)
        status, _, _ = moderator.request(
            "POST", f"/moderation/{pid}/accepter", {"csrf": moderator.token, "message": ""}
        )
        if status == 303:
            made["decisions"] += 1
        else:
            made["errors"] += 1
    latencies.append((time.monotonic() - t) * 1000)
    n += 1

latencies.sort()
def pct(p):
    return round(latencies[min(len(latencies) - 1, int(p / 100 * (len(latencies) - 1) + 0.5))], 2) if latencies else 0
made.update({"seconds": round(time.monotonic() - start, 1), "p50_ms": pct(50), "p99_ms": pct(99)})
print(json.dumps(made))
