#!/usr/bin/env python3
"""Whether an experiment's body stays up free on the floor: the search
behind docs/experiments.md's "Free on the floor".

Makes a free-floor copy of the experiment (default run/cpg_gait.yaml):
without its head post (body.head_height_mm dropped, body.head_fixed false),
on the floor, with no belt, its relative paths made absolute. Runs it for
every combination of the --vary values, once per seed, two runs at a time,
with any fixed --set on top. Per run it prints when the pelvis first rolls
past --fall-deg (on its side; "-" if never), how far the pelvis travelled
forward (world x, mm) until then, the left-hind strides and their
frequency from run.yaml's gait: block, the largest pelvis height in the
first 0.3 s (a body thrown up by its extensors), the pelvis's mean pitch
(nose up positive, as run.yaml's gait: block) and height from 0.5 s until
a fall, its largest |yaw| until then (its heading from the world's x
axis: a stance that twists on its paws shows here), the left hind paw's
touch-downs until then, and the forepaws'
share of the weight and all four paws' (run.yaml's load_share: a body
standing on its paws bears about 1 on them; less, and its belly, chin or
tail is on the floor); per setting, the seeds that stayed up and the
median time up. The strides and the weight shares are run.yaml's, over
the whole run, so a body that fell adds its flailing on its side to them;
the fall time, height, pitch, yaw and touch-downs stop at the fall.

Usage: run/tune/free_floor.py OUTROOT [--experiment F] [--seeds 1,2]
       [--seconds 4] [--fall-deg 30] [--vary KEY=V1,V2,...] [--set KEY=VALUE]
--vary's values are split at "|" when there is one (for values that are
comma-separated lists themselves, as brain.posture.muscles), else at ",";
a value longer than 16 characters is named by its number (muscles#2) and
listed above the table.
Runs stay in OUTROOT/<setting>/<seed> (run and read again as gait_seeds.py
does: a complete one made by the same command is read, not run again)."""
import argparse
import collections
import concurrent.futures
import itertools
import os
import re
import sys

import h5py
import numpy as np

from gait_seeds import BRAINBODY, ROOT, run_record, stance  # stance: the gait: block's debouncing

FREE = ["body.head_fixed=false", "body.floor=true", "body.treadmill.enabled=false"]

# One run's measures, by name (free_descent.py reads fall and touchdowns):
# measure()'s from body.h5, then run.yaml's weight shares and strides.
Run = collections.namedtuple("Run", "fall forward_mm top_mm pitch_deg height_mm yaw_deg touchdowns "
                                    "fore_load paws_load strides stride_hz")


def free_copy(experiment, out):
    """The experiment without its head post's height, relative paths (model, map) made absolute."""
    here = os.path.dirname(os.path.abspath(experiment))
    lines = []
    with open(experiment) as f:
        for line in f:
            if re.match(r"\s*head_height_mm:", line):
                continue
            m = re.match(r"(\s*(?:model|map):\s*)(\S+\.(?:xml|yaml))(.*)", line)
            if m and not os.path.isabs(m.group(2)):
                line = m.group(1) + os.path.normpath(os.path.join(here, m.group(2))) + m.group(3) + "\n"
            lines.append(line)
    path = os.path.join(out, "free_" + os.path.basename(experiment))
    with open(path, "w") as f:
        f.writelines(lines)
    return path


def measure(out, fall_deg):
    """(fall time or None, forward travel mm until then, largest pelvis height
    mm in the first 0.3 s, from 0.5 s until the fall the pelvis's mean
    pitch (deg, nose up) and height (mm), the pelvis's largest |yaw| (deg,
    its heading from the world's x axis) until the fall, and the left hind
    paw's touch-downs before it (debounced as run.yaml's gait: block))."""
    with h5py.File(os.path.join(out, "body.h5"), "r") as f:
        t = f["time"][()]
        q = f["body/qpos"][()]
        names = [n.decode() for n in f["touch/grids"][()]]
        down = stance(f["touch/paw_contact"][()][:, names.index("L_pes_touch")] > 0, t[1] - t[0])
    w, x, y, z = q[:, 3], q[:, 4], q[:, 5], q[:, 6]
    roll = np.degrees(np.arctan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y)))
    past = np.nonzero(np.abs(roll) > fall_deg)[0]
    end = past[0] if len(past) else len(t) - 1
    pitch = -np.degrees(np.arcsin(np.clip(2 * (w * y - z * x), -1, 1)))  # nose up positive, as run.yaml
    yaw = np.degrees(np.arctan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z)))
    settled = (t >= 0.5) & (np.arange(len(t)) <= end)
    mean = lambda v: float(v[settled].mean()) if settled.any() else float("nan")
    touchdowns = int(np.sum(~down[:end] & down[1:end + 1]))
    return (float(t[past[0]]) if len(past) else None, 1e3 * float(q[end, 0] - q[0, 0]),
            1e3 * float(q[t <= 0.3, 2].max()), mean(pitch), 1e3 * mean(q[:, 2]),
            float(np.abs(yaw[:end + 1]).max()), touchdowns)


def run(args, experiment, name, sets, seed):
    """One seed of one setting, run (or read again) by gait_seeds.py's run_record() in OUTROOT/name/seed."""
    one = argparse.Namespace(outroot=os.path.join(args.outroot, name), seconds=args.seconds,
                             experiment=experiment, set=FREE + args.set + sets)
    record, why = run_record(one, seed)
    if record is None:
        return name, seed, None, why
    out = os.path.join(one.outroot, str(seed))
    gait = record.get("gait") or {}
    load = gait.get("load_share") or {}
    fore = sum(load.get(p, float("nan")) for p in ("L_manus", "R_manus"))
    paws = fore + sum(load.get(p, float("nan")) for p in ("L_pes", "R_pes"))
    return name, seed, Run(*measure(out, args.fall_deg), fore, paws, gait.get("strides"), gait.get("stride_hz")), None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outroot")
    ap.add_argument("--experiment", default=os.path.join(ROOT, "run", "cpg_gait.yaml"))
    ap.add_argument("--seeds", default="1,2")
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--fall-deg", type=float, default=30.0)
    ap.add_argument("--vary", action="append", default=[], metavar="KEY=V1,V2 or KEY=V1|V2")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()
    if not os.access(BRAINBODY, os.X_OK):
        sys.exit(f"free_floor.py: build first: {BRAINBODY} is missing")
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError:
        sys.exit(f"free_floor.py: --seeds: '{args.seeds}' is not a comma-separated list of integers")
    axes, legend = [], []
    for v in args.vary:
        key, eq, values = v.partition("=")
        if not eq or not values:
            sys.exit(f"free_floor.py: --vary '{v}': expected KEY=V1,V2,...")
        short = ".".join(key.split(".")[-2:])  # "posture.tone", "adductors.tone"
        axis = []
        for i, value in enumerate(values.split("|" if "|" in values else ",")):
            label = f"{short}={value}" if len(value) <= 16 else f"{short}#{i + 1}"  # long values by number
            if label != f"{short}={value}":
                legend.append(f"{label}: {key}={value}")
            axis.append((re.sub(r"[^A-Za-z0-9.=#-]+", "_", label), f"{key}={value}"))
        axes.append(axis)
    os.makedirs(args.outroot, exist_ok=True)
    experiment = free_copy(args.experiment, args.outroot)
    jobs = [("+".join(n for n, _ in c) or "base", [kv for _, kv in c], seed)
            for c in itertools.product(*axes) for seed in seeds]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda j: run(args, experiment, *j), jobs))
    for line in legend:
        print(line)
    print("setting\tseed\tfall_s\tforward_mm\tpelvis_0.3s_max_mm\tpitch_deg\tpelvis_mm\tyaw_max_deg\tLH_touchdowns_up\tforepaws_load\tpaws_load\tstrides\tstride_hz")
    by_setting = {}
    for name, seed, m, why in results:
        if m is None:
            print(f"{name}\t{seed}\tFAILED: {why}")
            continue
        fall, fwd, top, pitch, height, yaw, downs, fore, paws, strides, hz = m
        by_setting.setdefault(name, []).append(fall)
        print(f"{name}\t{seed}\t{'-' if fall is None else f'{fall:.2f}'}\t{fwd:.1f}\t{top:.1f}\t{pitch:.0f}\t{height:.1f}\t{yaw:.0f}\t{downs}"
              f"\t{fore:.2f}\t{paws:.2f}\t{strides}\t{hz}")
    print("\nsetting\tstayed up\tmedian time up (s)")
    for name, falls in by_setting.items():
        up = [args.seconds if f is None else f for f in falls]
        print(f"{name}\t{sum(f is None for f in falls)} of {len(falls)}\t{np.median(up):.2f}")
    failed = sum(m is None for _, _, m, _ in results)
    if failed:
        sys.exit(f"free_floor.py: {failed} of {len(results)} runs failed (above)")


if __name__ == "__main__":
    main()
