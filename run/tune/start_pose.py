#!/usr/bin/env python3
"""A start pose for body.start_pose (docs/config.md): the pose a free body
has landed in, made left-right symmetric.

The whole-body mouse's MJCF is built standing with its paws 1-1.5 mm above
the floor and its forelimbs reaching forward. Dropped free from there, the
forepaws slide 15 mm back and the pelvis sinks 6 mm in the first 0.1 s, and
the stretch reflex then throws the body up (docs/experiments.md, "A start
pose"). This script runs a free-floor copy of an experiment (as
run/tune/free_floor.py makes it, with its --set's on top) for --time
seconds on one seed, takes the body's pose at --time from body.h5, and
writes it as a pose file:
- the pelvis at x = y = 0, its height kept, its roll and yaw removed (its
  pitch kept);
- each left/right pair of joints at the mean of the two (the model's
  left and right joints take the same value for mirrored poses);
- the midline's sideways joints (names ending _lat, _yaw or _axial: the
  spine's lateral bending, the tail's yaw, the atlas's rotation) at 0;
- the midline's other joints as they are;
- a hinge past its range (MuJoCo's limits are soft: a loaded joint sinks
  a little past them) at the range's end, named in the file's header.
A run with every cortical pathway cut and the pools silent is deterministic
and symmetric until it tips, so its pose is the same on every seed.

Usage: run/tune/start_pose.py OUT.tsv --time S [--experiment F] [--seed N]
       [--workdir DIR] [--set KEY=VALUE ...]"""
import argparse
import math
import os
import sys
import tempfile

import h5py
import numpy as np

from free_floor import FREE, free_copy
from gait_seeds import BRAINBODY, ROOT, joint_ranges, run_record

SIDEWAYS = ("_lat", "_yaw", "_axial")


def clip_to_ranges(rows, ranges):
    """rows with every hinge inside its range (ranges: joint_ranges()'s, degrees); the names of
    those moved, with how far (rad)."""
    moved = []
    for n, values in rows:
        if n in ranges and len(values) == 1:
            lo, hi = (math.radians(r) for r in ranges[n])
            v = min(max(values[0], lo), hi)
            if v != values[0]:
                moved.append(f"{n} {values[0] - v:+.4f}")
                values[0] = v
    return rows, moved


def symmetric_pose(qpos, names):
    """[(joint, values)] of the pose qpos (root's 7, then one per hinge in names' order), symmetrised."""
    w, x, y, z = qpos[3:7]
    pitch = math.asin(max(-1.0, min(1.0, 2 * (w * y - z * x))))  # the rotation about y alone
    rows = [("root", [0.0, 0.0, float(qpos[2]), math.cos(pitch / 2), 0.0, math.sin(pitch / 2), 0.0])]
    angle = dict(zip(names, (float(v) for v in qpos[7:])))
    for n in names:
        if n[:2] in ("L_", "R_"):
            other = ("R_" if n[0] == "L" else "L_") + n[2:]
            if other not in angle:
                sys.exit(f"start_pose.py: joint {n} has no mirror {other} in the model")
            rows.append((n, [(angle[n] + angle[other]) / 2]))
        elif n.endswith(SIDEWAYS):
            rows.append((n, [0.0]))
        else:
            rows.append((n, [angle[n]]))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--time", type=float, required=True, help="the simulated time (s) whose pose is taken")
    ap.add_argument("--experiment", default=os.path.join(ROOT, "run", "cpg_gait.yaml"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", help="where the run is kept (default: a temporary folder, removed)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()
    if not os.access(BRAINBODY, os.X_OK):
        sys.exit(f"start_pose.py: build first: {BRAINBODY} is missing")
    if not os.path.exists(args.experiment):
        sys.exit(f"start_pose.py: --experiment: no such file '{args.experiment}'")
    if args.time <= 0:
        sys.exit("start_pose.py: --time must be > 0")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or tmp
        os.makedirs(work, exist_ok=True)
        one = argparse.Namespace(outroot=work, seconds=args.time + 0.05,
                                 experiment=free_copy(args.experiment, work), set=FREE + args.set)
        record, why = run_record(one, args.seed)
        if record is None:
            sys.exit(f"start_pose.py: the run failed: {why}")
        with h5py.File(os.path.join(work, str(args.seed), "body.h5"), "r") as f:
            t = f["time"][()]
            i = int(np.argmin(np.abs(t - args.time)))
            qpos = f["body/qpos"][i]
            names = [n.decode() for n in f["joints/names"][()]]
            taken = float(t[i])
        model = record["config"]["body"]["model"]
    if len(qpos) != 7 + len(names):
        sys.exit(f"start_pose.py: body.h5's qpos has {len(qpos)} values, expected the root's 7 and {len(names)} hinges")
    rows, moved = clip_to_ranges(symmetric_pose(qpos, names), joint_ranges(model))
    with open(args.out, "w") as f:
        f.write(f"# Generated by run/tune/start_pose.py {' '.join(sys.argv[1:])}; do not edit by hand.\n"
                f"# The pose at t = {taken:.4f} s of a free-floor copy of {os.path.relpath(args.experiment, ROOT)}"
                f" (seed {args.seed}), made left-right symmetric.\n"
                f"# Hinges moved back into their range (rad past it): {', '.join(moved) or 'none'}.\n"
                "# joint, then its qpos values (the root: x y z in m and the quaternion qw qx qy qz; a hinge: rad)\n")
        for n, values in rows:
            f.write(n + "\t" + "\t".join(f"{v:.12g}" for v in values) + "\n")
    print(f"start_pose.py: {args.out}: the pose at {taken:.4f} s, pelvis at {1e3 * qpos[2]:.1f} mm")


if __name__ == "__main__":
    main()
