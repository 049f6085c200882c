"""Runs a command in a real pseudo-terminal, presses keys at given times, and reports what happened.

usage: pty_run.py SPEC_JSON
SPEC_JSON: {"argv": [...], "env": {...}, "cwd": "...", "keys": [[seconds, "text"], ...], "timeout": s,
            "cols": 100, "rows": 40, "after": "text"}
With "after", key times count from the moment the terminal first shows that text (else from the start).
Prints one JSON line: {"code": exit code (128+n for a signal), "output": all the terminal showed,
"elapsed": seconds from the last key to the exit (null without keys)}. The keys go through the
terminal's line discipline, so "\\u0003" is Ctrl-C as a person presses it (SIGINT from the tty).
"""
import fcntl, json, os, pty, select, signal, struct, sys, termios, time

spec = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.chdir(spec.get("cwd", "."))
    env = dict(os.environ)
    env.update(spec.get("env", {}))
    os.execvpe(spec["argv"][0], spec["argv"], env)

fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", spec.get("rows", 40), spec.get("cols", 100), 0, 0))
start = time.time()
keys = sorted(spec.get("keys", []))
out = b""
last_key = None
status = None
deadline = start + spec.get("timeout", 60)
after = spec.get("after")
t0 = None if after else start
while True:
    now = time.time()
    if t0 is None and after.encode() in out:
        t0 = now
    if keys and t0 is not None and now - t0 >= keys[0][0]:
        os.write(fd, keys.pop(0)[1].encode())
        last_key = time.time()
    if now > deadline:
        os.kill(pid, signal.SIGKILL)
    r, _, _ = select.select([fd], [], [], 0.02)
    if r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        out += data
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
        end = time.time()
        # What is still in the terminal's buffer.
        try:
            while select.select([fd], [], [], 0.05)[0]:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                out += chunk
        except OSError:
            pass
        break
code = os.waitstatus_to_exitcode(status)
if code < 0:
    code = 128 - code
print(json.dumps({
    "code": code,
    "output": out.decode("utf-8", "replace"),
    "elapsed": None if last_key is None else round(end - last_key, 3),
    "total": round(end - start, 3),
}))
