#!/usr/bin/env python3
"""Writes the cortex's share of every muscle's excitation in a coupler run,
from its body.h5, for bb_gait_body --add-excitation (run/tune/README.md).

In the coupling maps of run/cpg_gait.yaml and run/locomotion.yaml each M1
pool drives every muscle of its body regions on the other side with the
same excitation, and the spinal pools and posture add to some of them
only; so the cortex's share of a (side, region) group is, at each
exchange, the least excitation in the group (every group keeps muscles no
other pathway reaches), and the diaphragm's is its own. A replay is open
loop: the recorded cortex does not answer the replaying body's feedback.

Usage: run/tune/cortex_drive.py OUTDIR/body.h5 OUT.f32
OUT.f32: float32, one row of the model's muscles per exchange."""
import sys

import h5py
import numpy as np


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        with h5py.File(sys.argv[1], "r") as f:
            names = [x.decode() for x in f["muscles/names"][:]]
            regions = [x.decode() for x in f["muscles/regions"][:]]
            e = f["muscles/excitation"][:]
    except (OSError, KeyError) as err:
        sys.exit(f"cortex_drive.py: {sys.argv[1]}: not a brainbody body.h5 with muscles/names, regions and excitation ({err})")
    out = np.zeros_like(e, dtype=np.float32)
    groups = {}
    for i, (n, r) in enumerate(zip(names, regions)):
        groups.setdefault((n[:2], r) if n[:2] in ("L_", "R_") else (n, r), []).append(i)
    for members in groups.values():
        out[:, members] = e[:, members].min(axis=1, keepdims=True)
    out.tofile(sys.argv[2])
    print(f"{sys.argv[2]}: {out.shape[0]} exchanges x {out.shape[1]} muscles, "
          f"mean {out.mean():.4f}, exchanges with any cortical drive {np.mean(out.max(axis=1) > 0):.2f}")


if __name__ == "__main__":
    main()
