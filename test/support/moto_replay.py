"""Sends the requests a test run made to moto (BM_MOTO_RESPONSE_LOG=/path BM_MOTO_RESPONSE_LOG_REQUESTS=1, see
moto_server.py) again, in the same order and one at a time over one kept-alive connection, to fresh servers started
here, and prints the CPU each server used to answer them (user + sys from /proc, its start-up excluded): a measure of
the emulator's own cost that does not depend on jest, the CLI or the timing of a test run. TEST SUPPORT ONLY.

    python3 test/support/moto_replay.py /path.<pid>.requests [ROUNDS] [ENV=VALUE …]

Each round runs one server per variant, alternating: the first with the environment as it is, then one per ENV=VALUE
given (e.g. BM_MOTO_PLAIN=1, moto_server.py without its faster code). A request that depends on a random ID drawn
in the recorded run (an account Organizations created) gets an error on replay, as it would from any fresh server.
"""

import base64
import http.client
import json
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def replay(records, extra_env):
    port = free_port()
    env = {**os.environ, **extra_env}
    proc = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "moto_server.py"), "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port)
                conn.request("GET", "/moto-api/")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        before = cpu_seconds(proc.pid)
        statuses = {}
        for r in records:
            body = base64.b64decode(r["body"])
            headers = {k: v for k, v in r["headers"] if k not in ("Content-Length", "Connection", "Keep-Alive")}
            local = headers.get("Host", "").startswith("127.0.0.1")
            headers["Host"] = f"127.0.0.1:{port}" if local else headers["Host"]
            conn.request(r["method"], r["target"], body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            statuses[response.status] = statuses.get(response.status, 0) + 1
        return cpu_seconds(proc.pid) - before, statuses
    finally:
        proc.terminate()
        proc.wait()


def main():
    path = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    variants = [{}] + [dict([arg.split("=", 1)]) for arg in sys.argv[3:]]
    records = [json.loads(line) for line in open(path, encoding="utf-8")]
    results = {i: [] for i in range(len(variants))}
    for _ in range(rounds):
        for i, variant in enumerate(variants):
            cpu, statuses = replay(records, variant)
            results[i].append(cpu)
            print(f"{variant or 'as is'}: {cpu:.2f} s CPU for {len(records)} requests {statuses}", flush=True)
    for i, variant in enumerate(variants):
        print(f"{variant or 'as is'}: {' '.join(f'{c:.2f}' for c in results[i])} (min {min(results[i]):.2f})")


if __name__ == "__main__":
    main()
