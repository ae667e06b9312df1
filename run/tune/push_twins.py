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
--fall-deg (30) at any time.

The gait as well: the left hind paw's strides (touch-down to touch-down,
from body.h5's paw contacts debounced as run/plot and body/gait.c do) and
the right hind's touch-down phase in each; the gait is back at the first
of three strides in a row, begun after the push's end, each with a period
within the twin's 5th-95th percentile and a phase no further from the
twin's circular mean than the twin's 95th percentile of that distance (the
twin's strides from 2 s on). The twin measured against itself from the
same time is the base rate: how many strides a gait that was never pushed
takes to meet the bar. Prints each seed and the medians."""
import argparse
import glob
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from plot import stance  # noqa: E402  the gait: block's debouncing, as run/plot draws it

HOLD = 3  # strides in a row, as body/gait.h's BB_RECOVERY_HOLD


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


def strides(out):
    """Start times (s), periods (s) and right-hind touch-down phases of the
    left hind paw's strides (debounced to phases >= 20 ms)."""
    with h5py.File(os.path.join(out, "body.h5"), "r") as f:
        t = f["time"][()]
        names = [n.decode() if isinstance(n, bytes) else n for n in f["touch/grids"][()]]
        contact = f["touch/paw_contact"][()] > 0
    down = [stance(contact[:, names.index(g)], t[1] - t[0]) for g in ("L_pes_touch", "R_pes_touch")]
    onsets = [t[1:][d[1:] & ~d[:-1]] for d in down]
    lh, rh = onsets
    start, period, phase = [], [], []
    for a, b in zip(lh[:-1], lh[1:]):
        inside = rh[(rh >= a) & (rh < b)]
        start.append(a)
        period.append(b - a)
        phase.append((inside[0] - a) / (b - a) if len(inside) else np.nan)
    return np.array(start), np.array(period), np.array(phase)


def circular_distance(a, b):
    d = np.abs(a - b) % 1.0
    return np.minimum(d, 1 - d)


def twin_ranges(twin):
    """From the twin's strides begun from 2 s on: its period's 5th and 95th
    percentiles, its phases' circular mean and their 95th percentile of
    distance from it."""
    ts, tp, tph = twin
    ref = ts >= 2.0
    lo, hi = np.percentile(tp[ref], [5, 95])
    phases = tph[ref & ~np.isnan(tph)]
    ang = 2 * np.pi * phases
    mean = (np.arctan2(np.sin(ang).mean(), np.cos(ang).mean()) / (2 * np.pi)) % 1.0
    return lo, hi, mean, np.percentile(circular_distance(phases, mean), 95)


def gait_back(ranges, run, after):
    """Strides and seconds from `after` to the first of HOLD strides in a row
    within the twin's ranges (twin_ranges), or (None, None)."""
    lo, hi, mean, bar = ranges
    s, p, ph = run
    sel = s >= after
    s, p, ph = s[sel], p[sel], ph[sel]
    ok = (p >= lo) & (p <= hi) & ~np.isnan(ph) & (circular_distance(np.nan_to_num(ph), mean) <= bar)
    for i in range(len(ok) - HOLD + 1):
        if ok[i:i + HOLD].all():
            return i, s[i] - after
    return None, None


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
        twin_strides = strides(twin)
        ranges = twin_ranges(twin_strides)
        gait, gait_s = gait_back(ranges, strides(os.path.dirname(d)), end)
        base, _ = gait_back(ranges, twin_strides, end)
        rows.append(dict(seed=seed, peak=pr[second].max(), twin_peak=tr[twin_second].max(), bar=bar,
                         back=back_under(pt, pr, bar, end), fell=pr.max() > args.fall_deg,
                         gait=gait, gait_s=gait_s, base=base))
        r = rows[-1]
        back = f"{r['back']:.2f} s" if r["back"] is not None else "never"
        said = f"after {gait} strides ({gait_s:.2f} s)" if gait is not None else "never"
        print(f"seed {seed}: largest |roll| in the second after the push {r['peak']:.1f} deg (twin {r['twin_peak']:.1f}); "
              f"back under the twin's 95th percentile ({bar:.1f} deg) for 0.2 s after {back}{' FELL' if r['fell'] else ''}; "
              f"gait back {said}, the twin itself after {base if base is not None else 'never'}")
    if not rows:
        raise SystemExit(f"push_twins.py: no runs in {args.pushed_root}")
    backs = [r["back"] for r in rows if r["back"] is not None]
    print(f"\n{sum(r['fell'] for r in rows)} of {len(rows)} fell; largest |roll| in the second after the push, median "
          f"{np.median([r['peak'] for r in rows]):.1f} deg (twins {np.median([r['twin_peak'] for r in rows]):.1f}); "
          f"back under the twin's 95th percentile in {len(backs)} of {len(rows)}"
          + (f", median {np.median(backs):.2f} s, longest {max(backs):.2f} s" if backs else ""))
    gaits = [r["gait"] for r in rows if r["gait"] is not None]
    bases = [r["base"] for r in rows if r["base"] is not None]
    print(f"gait back in {len(gaits)} of {len(rows)}" + (f", median {np.median(gaits):g} strides" if gaits else "")
          + f"; the twins themselves in {len(bases)} of {len(rows)}" + (f", median {np.median(bases):g} strides" if bases else ""))


if __name__ == "__main__":
    main()
