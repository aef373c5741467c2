#!/usr/bin/env python3
"""The far end of the guest's ttyS1, run on the host beside qemu (boot.sh).

qemu backs ttyS1 with a pipe chardev: the guest's transmit side arrives in
OUTDIR/ttyS1.out, and what we write to OUTDIR/ttyS1.in is the guest's receive
side. The guest's ttyS2 is a second pipe chardev carrying commands from the
test inside the guest, one per line, each answered with one line:

  drain         read ttyS1 as fast as it comes (the default)    -> ok
  stall         stop reading ttyS1                               -> ok
  xoff / xon    send ^S / ^Q into the guest's ttyS1              -> ok
  bytes         how many bytes ttyS1 delivered so far            -> ok N

The data pipe is shrunk to one page, so a stall is felt by the guest once its
own transmit buffer and 4 KiB here are full (qemu's 16550 does not pace output
to the baud rate: only this reader's speed limits the line).
"""
import fcntl
import os
import select
import sys

F_SETPIPE_SZ = 1031


def main(out):
    data = os.open(os.path.join(out, "ttyS1.out"), os.O_RDONLY | os.O_NONBLOCK)
    data_in = os.open(os.path.join(out, "ttyS1.in"), os.O_RDWR)
    ctl = os.open(os.path.join(out, "ttyS2.out"), os.O_RDONLY | os.O_NONBLOCK)
    ctl_in = os.open(os.path.join(out, "ttyS2.in"), os.O_RDWR)
    try:
        fcntl.fcntl(data, F_SETPIPE_SZ, 4096)
    except OSError:
        pass
    total = 0
    stalled = False
    line = b""
    while True:
        watch = [ctl] if stalled else [ctl, data]
        r, _, _ = select.select(watch, [], [], 1.0)
        if data in r:
            try:
                total += len(os.read(data, 65536))
            except BlockingIOError:
                pass
        if ctl not in r:
            continue
        try:
            chunk = os.read(ctl, 4096)
        except BlockingIOError:
            continue
        line += chunk
        while b"\n" in line:
            cmd, line = line.split(b"\n", 1)
            cmd = cmd.strip().decode("ascii", "replace")
            if cmd == "drain":
                stalled = False
                reply = "ok"
            elif cmd == "stall":
                stalled = True
                reply = "ok"
            elif cmd == "xoff":
                os.write(data_in, b"\x13")
                reply = "ok"
            elif cmd == "xon":
                os.write(data_in, b"\x11")
                reply = "ok"
            elif cmd == "bytes":
                reply = f"ok {total}"
            elif not cmd:
                continue
            else:
                reply = f"error unknown command {cmd!r}"
            os.write(ctl_in, (reply + "\n").encode())


if __name__ == "__main__":
    main(sys.argv[1])
