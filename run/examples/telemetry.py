#!/usr/bin/python3
"""Live plot of a served run's telemetry (docs/operations.md).

    run/examples/telemetry.py ipc://$PWD/out/watched/telemetry.sock [POOL]

Needs Debian's python3-zmq and python3-matplotlib (apt-get install
python3-zmq python3-matplotlib). Decodes telemetry packets (proto/PROTOCOL.md,
kind 4) and plots one pool's rate (default: pool 3) and the largest muscle
excitation over the last 2 s of simulated time."""
import struct
import sys
from collections import deque

import matplotlib.pyplot as plt
import zmq

HEADER = struct.Struct("<4sHHIIQII")  # magic, version, kind, sender, payload_len, seq, crc, reserved
FIXED = struct.Struct("<QdfffIIIII")  # exchange, time_s, rtf, exc mean, exc max, n_pools, n_paws, flags, presses, dropped


def decode(msg):
    magic, version, kind, _, length, _, _, reserved = HEADER.unpack_from(msg)
    if magic != b"BBDY" or version != 2 or kind != 4 or reserved or len(msg) != 32 + length:
        raise ValueError("not a telemetry packet")
    exchange, t, rtf, mean, peak, n_pools, n_paws, flags, presses, dropped = FIXED.unpack_from(msg, 32)
    rates = struct.unpack_from(f"<{n_pools}f", msg, 32 + FIXED.size)
    paws = msg[32 + FIXED.size + 4 * n_pools:][:n_paws]
    return dict(t=t, rtf=rtf, peak=peak, rates=rates, paws=list(paws), flags=flags, dropped=dropped)


def main():
    endpoint, pool = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    sub = zmq.Context().socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(endpoint)
    t, rate, peak = deque(maxlen=400), deque(maxlen=400), deque(maxlen=400)
    plt.ion()
    fig, (a, b) = plt.subplots(2, 1, sharex=True)
    while plt.fignum_exists(fig.number):
        m = decode(sub.recv())
        t.append(m["t"]), rate.append(m["rates"][pool]), peak.append(m["peak"])
        if len(t) % 10 == 0:
            a.clear(), b.clear()
            a.plot(t, rate), a.set_ylabel(f"pool {pool} (Hz)")
            b.plot(t, peak), b.set_ylabel("max excitation"), b.set_xlabel("simulated time (s)")
            a.set_title(f"real-time factor {m['rtf']:.2f}, dropped {m['dropped']}")
            plt.pause(0.001)


if __name__ == "__main__":
    main()
