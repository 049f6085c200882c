"""Runs a command in a real pseudo-terminal, presses keys at given times, and reports what happened.

usage: pty_run.py SPEC_JSON
SPEC_JSON: {"argv": [...], "env": {...}, "cwd": "...", "keys": [[seconds, "text"], ...], "timeout": s,
            "cols": 100, "rows": 40, "after": "text"}
With "after", key times count from the moment the terminal first shows that text (else from the start); "after"
may instead be {"pattern": "regular expression"}.
With "keys": "stdin", the keys come from this script's stdin instead, one JSON string a line, pressed as they
arrive (the caller decides when, e.g. by what the command has sent); with "after", the line "seen" is printed as
soon as the terminal shows that text. Then prints one JSON line: {"code": exit code (128+n for a signal),
"output": all the terminal showed, "elapsed": seconds from the last key to the exit (null without keys)}.
The keys go through the terminal's line discipline, so "\\u0003" is Ctrl-C as a person presses it (SIGINT from the tty).
"""
import fcntl, json, os, pty, re, select, signal, struct, sys, termios, time

spec = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.chdir(spec.get("cwd", "."))
    env = dict(os.environ)
    env.update(spec.get("env", {}))
    os.execvpe(spec["argv"][0], spec["argv"], env)

fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", spec.get("rows", 40), spec.get("cols", 100), 0, 0))
start = time.time()
from_stdin = spec.get("keys") == "stdin"
keys = [] if from_stdin else sorted(spec.get("keys", []))
inputs = [fd, sys.stdin.fileno()] if from_stdin else [fd]
pending = b""
out = b""
last_key = None
status = None
deadline = start + spec.get("timeout", 60)
after = spec.get("after")
if isinstance(after, dict):
    shows = lambda o: re.search(after["pattern"].encode(), o) is not None
else:
    shows = lambda o: after.encode() in o
t0 = None if after else start
while True:
    now = time.time()
    if t0 is None and shows(out):
        t0 = now
        if from_stdin:
            print("seen", flush=True)
    if keys and t0 is not None and now - t0 >= keys[0][0]:
        os.write(fd, keys.pop(0)[1].encode())
        last_key = time.time()
    if now > deadline:
        os.kill(pid, signal.SIGKILL)
    r, _, _ = select.select(inputs, [], [], 0.02)
    if from_stdin and sys.stdin.fileno() in r:
        data = os.read(sys.stdin.fileno(), 4096)
        if not data:
            inputs = [fd]
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            os.write(fd, json.loads(line).encode())
            last_key = time.time()
    if fd in r:
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
