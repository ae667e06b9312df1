#!/usr/bin/env python3
"""Push recovery against each run's unpushed twin: the check behind
docs/experiments.md's "Push recovery". The same seed and settings without
the push are the run the pushed one would have been, so the pushed run is
judged against its twin's own variation, not against a fixed bar that the
stepping body's stride-to-stride variation already misses.

Make the runs with run/tune/gait_seeds.py, the same seeds and settings, with
and without body.perturb, for example:
    run/tune/gait_seeds.py OUT/twin --seeds 101-110 --seconds 7
    run/tune/gait_seeds.py OUT/pushed --seeds 101-110 --seconds 7 --set body.perturb.enabled=true \\
        --set body.perturb.start_s=3 --set body.perturb.duration_s=0.05 --set body.perturb.y_N=0.1
then:
    run/tune/push_twins.py OUT/twin OUT/pushed --start 3 --duration 0.05

Per seed, from body.h5: the pelvis's |roll| (the coupler's bb_body_roll,
asin of the z component of the pelvis's y axis); the largest in the second
after the push, beside the twin's in the same second; and when, after the
push's end, it is back under the twin's 95th percentile (from 2 s on, after
the settling) for 0.2 s in a row. A run falls when its |roll| passes
--fall-deg (30) at any time. Prints each seed and the medians."""
import argparse
import glob
import os

import h5py
import numpy as np


def pelvis_roll_deg(out):
    """Time (s) and the pelvis's |roll| (deg), as bb_body_roll computes it, from body.h5's root quaternion."""
    with h5py.File(os.path.join(out, "body.h5"), "r") as f:
        t = f["time"][()]
        q = f["body/qpos"][()]
    w, x, y, z = q[:, 3], q[:, 4], q[:, 5], q[:, 6]
    return t, np.abs(np.degrees(np.arcsin(np.clip(2 * (w * x + y * z), -1, 1))))


def back_under(t, roll, bar, after, hold_s=0.2):
    """Seconds from `after` until |roll| stays under bar for hold_s, or None."""
    sel = t >= after
    ok, ts = roll[sel] <= bar, t[sel]
    n = max(1, int(round(hold_s / (t[1] - t[0]))))
    for i in range(len(ok) - n + 1):
        if ok[i:i + n].all():
            return ts[i] - after
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("twin_root")
    ap.add_argument("pushed_root")
    ap.add_argument("--start", type=float, required=True, help="the push's start (body.perturb.start_s)")
    ap.add_argument("--duration", type=float, required=True, help="its duration (body.perturb.duration_s)")
    ap.add_argument("--fall-deg", type=float, default=30.0)
    args = ap.parse_args()
    end = args.start + args.duration
    rows = []
    for d in sorted(glob.glob(os.path.join(args.pushed_root, "[0-9]*", "body.h5"))):
        seed = os.path.basename(os.path.dirname(d))
        twin = os.path.join(args.twin_root, seed)
        if not os.path.exists(os.path.join(twin, "body.h5")):
            raise SystemExit(f"push_twins.py: {seed} has no twin in {args.twin_root}")
        tt, tr = pelvis_roll_deg(twin)
        pt, pr = pelvis_roll_deg(os.path.dirname(d))
        bar = np.percentile(tr[tt >= 2.0], 95)
        second = (pt >= args.start) & (pt < args.start + 1)
        twin_second = (tt >= args.start) & (tt < args.start + 1)
        rows.append(dict(seed=seed, peak=pr[second].max(), twin_peak=tr[twin_second].max(), bar=bar,
                         back=back_under(pt, pr, bar, end), fell=pr.max() > args.fall_deg))
        r = rows[-1]
        back = f"{r['back']:.2f} s" if r["back"] is not None else "never"
        print(f"seed {seed}: largest |roll| in the second after the push {r['peak']:.1f} deg (twin {r['twin_peak']:.1f}); "
              f"back under the twin's 95th percentile ({bar:.1f} deg) for 0.2 s after {back}{' FELL' if r['fell'] else ''}")
    if not rows:
        raise SystemExit(f"push_twins.py: no runs in {args.pushed_root}")
    backs = [r["back"] for r in rows if r["back"] is not None]
    print(f"\n{sum(r['fell'] for r in rows)} of {len(rows)} fell; largest |roll| in the second after the push, median "
          f"{np.median([r['peak'] for r in rows]):.1f} deg (twins {np.median([r['twin_peak'] for r in rows]):.1f}); "
          f"back under the twin's 95th percentile in {len(backs)} of {len(rows)}"
          + (f", median {np.median(backs):.2f} s, longest {max(backs):.2f} s" if backs else ""))


if __name__ == "__main__":
    main()
