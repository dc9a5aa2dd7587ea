#!/usr/bin/env python3
"""pty-run.py [--cols N] CMD ARGS... - runs CMD with a new pseudo-terminal
as its standard input, output and error (so isatty(2) is true, as in a
person's terminal), N columns wide (default 200), copies everything it
writes there to our standard output byte for byte (the terminal turns
"\\n" into "\\r\\n"), and exits with CMD's status (128 + N if a signal
killed it, 127 if it could not be started).  For tests of what a program
shows on a terminal (t0015); the whole output is read before waiting, so
nothing depends on timing."""
import fcntl
import os
import pty
import struct
import sys
import termios

args = sys.argv[1:]
cols = 200
if len(args) >= 2 and args[0] == "--cols":
    cols = int(args[1])
    args = args[2:]
if not args:
    sys.exit("usage: pty-run.py [--cols N] CMD ARGS...")

pid, fd = pty.fork()
if pid == 0:
    try:
        # the child's side of the terminal, before the program asks its size
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
        os.execvp(args[0], args)
    finally:
        os._exit(127)

out = sys.stdout.buffer
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:  # EIO: every process has closed the terminal
        break
    if not data:
        break
    out.write(data)
out.flush()
_, status = os.waitpid(pid, 0)
if os.WIFSIGNALED(status):
    sys.exit(128 + os.WTERMSIG(status))
sys.exit(os.WEXITSTATUS(status))
