#!/usr/bin/env python3
"""Push recovery over seeds, intact and deafferented: the check behind
docs/experiments.md's "Push recovery: run/push_recovery.yaml" and the
bar of tests/test_locomotion.c.

Runs the experiment (default run/push_recovery.yaml) by run/tune/gait_seeds.py
for each seed four times: intact and deafferented (feedback.enabled=false),
each pushed (the file's body.perturb, or --force N sideways) and with a
push of 0 N, the unpushed twin (the same run, and a push: block with the
same windows). From each run.yaml's gait: push: block: how far the centre
of mass is below its height of the second before the push, in the second
from 1 s after the push's end, and the slower hind paw's touch-downs per
second then. Recovered: less than 3 mm lower and each hind paw stepping
(at least one touch-down a second), as the test's bar. Prints each seed
and the counts; any extra --set goes to every run.

Usage: run/tune/push_recovery.py OUTROOT [--seeds 101-110] [--force N]
       [--experiment FILE] [--set KEY=VALUE ...]
The runs stay in OUTROOT/{intact,deafferented}_{pushed,twin}/SEED (gait_seeds.py
reads a complete one with the same settings instead of running it again).
Cost: 40 runs of 4.1 s, about 7 minutes on 2 cores (22 of them took 4)."""
import argparse
import os
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SINK_MM, MIN_TOUCHDOWNS = 3.0, 1.0  # tests/test_locomotion.c's bar


def push_block(out):
    with open(os.path.join(out, "run.yaml")) as f:
        p = yaml.safe_load(f)["gait"]["push"]
    sink = (p["com_height_before_m"] - p["com_height_after_m"]) * 1e3
    slowest = min(p["touchdowns_per_s_after"]["L_pes"], p["touchdowns_per_s_after"]["R_pes"])
    return sink, slowest


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outroot")
    ap.add_argument("--seeds", default="101-110")
    ap.add_argument("--force", type=float, help="the push's y_N (default: the file's)")
    ap.add_argument("--experiment", default=os.path.join(os.path.dirname(HERE), "push_recovery.yaml"))
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()
    extra = [a for kv in args.set for a in ("--set", kv)]
    if args.force is not None:
        extra += ["--set", f"body.perturb.y_N={args.force:g}"]
    counts = {}
    for circuit, sets in (("intact", []), ("deafferented", ["--set", "feedback.enabled=false"])):
        for push, psets in (("pushed", []), ("twin", ["--set", "body.perturb.y_N=0"])):
            name = f"{circuit}_{push}"
            root = os.path.join(args.outroot, name)
            cmd = [sys.executable, os.path.join(HERE, "gait_seeds.py"), root, "--seeds", args.seeds, "--seconds",
                   "4.1", "--experiment", args.experiment, "--set", "body.perturb.enabled=true"] + extra + sets + psets
            rc = subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode
            if rc != 0:
                raise SystemExit(f"push_recovery.py: {' '.join(cmd)} exited {rc}")
            seeds = sorted(d for d in os.listdir(root) if d.isdigit())
            ok = 0
            for seed in seeds:
                sink, slowest = push_block(os.path.join(root, seed))
                back = sink < SINK_MM and slowest >= MIN_TOUCHDOWNS
                ok += back
                print(f"{name} seed {seed}: {sink:.1f} mm lower, the slower hind paw at {slowest:g} touch-downs/s"
                      f"{' (recovered)' if back else ''}", flush=True)
            counts[name] = (ok, len(seeds))
    print()
    for name, (ok, n) in counts.items():
        print(f"{name}: {ok} of {n} back within {SINK_MM:g} mm and stepping a second after the push")


if __name__ == "__main__":
    main()
