#!/usr/bin/env python3
"""The body's gait against the brainstem drive alpha: the closed-loop
experiment (default run/cpg_gait.yaml: all four limbs stepping on the
belt) run at each --alphas value on each seed (one rank, two runs at a time,
through run/tune/gait_seeds.py's run_record(), so a run made by the same
command is read again, not repeated), next to the spinal circuit alone at
the same drives (run/gait/sweep's TSV, --circuit).

Per run, from run.yaml's gait: block (the paws' touch-downs, debounced to
phases of at least 20 ms, in the left hind paw's cycle): the left hind's
stride frequency, the right hind's phase (left-right), the left forepaw's
(homolateral), the right forepaw's (diagonal), and the circuit's own
rhythm in that run (its CPG_LH_flexor pool's bursts), and how the left hind
follows the circuit's beats (beats(): the share in which its paw lifts off,
and the share in which it does not although the hip swings: the paw scrapes
forward along the belt). Each run is named as
bb_cpg_gait names the circuit's gait (Danner et al. 2017 Fig. 2), with a
body's looser tolerance of 0.15 instead of 0.1: left-right within 0.15 of
0 is bound; within 0.15 of 0.5, trot when the diagonal is within 0.15 of
0, else walk; anything else, gallop.

Per alpha it prints the median stride frequency against the circuit's, how
many runs stride within one standard deviation of the mouse's walk (2.7 +-
0.7 Hz) and of its trot (5.9 +- 1.0 Hz; Bellardita & Kiehn 2015 Fig. 1),
each phase's circular mean and vector strength R (1: the same phase on
every seed), the median shares of the beats lifted and scraped, the hind
paws' median toe share (toe_share(): how much of their load the digits' end
of the pad bears), and how many runs each gait name got.

Usage: run/gait/body_sweep.py OUTROOT [--alphas 0.05,0.1,0.2,0.3,0.45,0.6]
       [--seeds 111-118] [--seconds 3] [--experiment run/cpg_gait.yaml]
       [--circuit SWEEP.tsv] [--plot OUT.png] [--tsv OUT.tsv] [--set KEY=VALUE ...]
Runs go to OUTROOT/alpha_A/SEED."""
import argparse
import concurrent.futures
import csv
import math
import os
import sys

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "run", "tune"))
import gait_seeds  # noqa: E402  run_record(), seed_list(), circ_dist(), stance()
from cpg_feedback import burst_hz, flexor_onsets  # noqa: E402

PHASES = (("left_right_hind", "R_pes", "left-right (hind)", "C0"),
          ("homolateral", "L_manus", "homolateral (LF)", "C1"),
          ("diagonal", "R_manus", "diagonal (RF)", "C2"))
WALK_HZ, TROT_HZ = (2.7, 0.7), (5.9, 1.0)  # Bellardita & Kiehn 2015 Fig. 1: mean, SD


def gait_name(lr, diagonal):
    if any(math.isnan(x) for x in (lr, diagonal)):
        return "none"
    if gait_seeds.circ_dist(lr, 0) <= 0.15:
        return "bound"
    if gait_seeds.circ_dist(lr, 0.5) <= 0.15:
        return "trot" if gait_seeds.circ_dist(diagonal, 0) <= 0.15 else "walk"
    return "gallop"


def circ_mean(values):
    """(mean phase in [0, 1), vector strength R); NaN for no values."""
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return float("nan"), float("nan")
    z = np.exp(2j * np.pi * np.array(values)).mean()
    return float(np.angle(z) / (2 * np.pi) % 1), float(abs(z))


def beats(out, on, swing_deg=20.0):
    """How the left hind limb follows the circuit's beats (on: its
    CPG_LH_flexor pool's burst onsets, from flexor_onsets()): the share of the beats in which
    the paw lifts off (its contact, debounced as the gait: block's, ends
    at least once), and the share in which it does not although the hip
    swings through more than swing_deg of flexion: the limb steps but the
    paw scrapes forward along the belt. NaN for fewer than 3 onsets."""
    if len(on) < 3:
        return float("nan"), float("nan")
    with h5py.File(os.path.join(out, "body.h5"), "r") as f:
        t = f["time"][()]
        names = [n.decode() for n in f["touch/grids"][()]]
        down = gait_seeds.stance(f["touch/paw_contact"][()][:, names.index("L_pes_touch")] > 0, t[1] - t[0])
        joints = [n.decode() for n in f["joints/names"][()]]
        hip = np.degrees(f["joints/angle"][()][:, joints.index("L_hip_flex")])
    lifted = scraped = 0
    for a, b in zip(on[:-1], on[1:]):
        m = (t >= a) & (t < b)
        if (~down[m]).any():
            lifted += 1
        elif np.ptp(hip[m]) > swing_deg:
            scraped += 1
    return lifted / (len(on) - 1), scraped / (len(on) - 1)


def toe_share(out, record):
    """The share of the hind paws' touch-grid force (both paws, the whole
    run) in the grid's column of taxels at the digits' end of the pad (the
    site's +x edge, where contacts on the digits count too): 1 for a paw on
    its toes, a fifth or so for one flat on its pad (the mouse's pads touch
    through 4 x 2 spheres spread over the columns)."""
    with h5py.File(os.path.join(out, "body.h5"), "r") as f:
        names = [n.decode() for n in f["touch/grids"][()]]
        force = f["touch/force"][()]
    per = force.shape[1] // len(names)
    nx = int(record["config"]["body"]["taxels_x"])  # a grid is taxels_y rows of taxels_x
    toe = total = 0.0
    for paw in ("L_pes_touch", "R_pes_touch"):
        g = names.index(paw)
        grid = force[:, g * per:(g + 1) * per].reshape(len(force), -1, nx)  # [time][iy][ix], as body/touch.c
        toe, total = toe + grid[:, :, -1].sum(), total + grid.sum()
    return toe / total if total > 0 else float("nan")


def one(args, alpha, seed):
    """One run's row, or None with why it failed."""
    run_args = argparse.Namespace(outroot=os.path.join(args.outroot, f"alpha_{alpha:g}"), seconds=args.seconds,
                                  experiment=args.experiment, set=[f"brain.cpg.alpha={alpha:g}"] + args.set)
    record, why = gait_seeds.run_record(run_args, seed)
    g = record.get("gait") if record else None
    if not g:
        return None, why or "no gait: block in run.yaml"
    nan = float("nan")

    def num(x):
        return nan if x is None else float(x)

    out = os.path.join(run_args.outroot, str(seed))
    on = flexor_onsets(out, record) if "CPG_LH_flexor" in record.get("pools", {}) else []  # the circuit's beats
    row = dict(alpha=alpha, seed=seed, stride_hz=num(g.get("stride_hz")), circuit_hz=burst_hz(on),
               roll_deg=num(g["pelvis_roll_deg"]["mean_abs"]))
    row["beats_lifted"], row["beats_scraped"] = beats(out, on)
    row["toe_share"] = toe_share(out, record)
    for key, paw, _, _ in PHASES:
        row[key] = num(g["phase"].get(paw))
    for paw in ("L_manus", "R_manus", "L_pes", "R_pes"):
        row["duty_" + paw] = num(g["duty"].get(paw))
    row["gait"] = gait_name(row["left_right_hind"], row["diagonal"])
    return row, None


def summarise(rows, alphas):
    print("alpha  runs  stride Hz: median (circuit's), runs in the walk's / trot's mean +- SD  "
          + "beats lifted/scraped  toe share  " + "  ".join(f"{label} mean/R" for _, _, label, _ in PHASES) + "  gaits")
    for a in alphas:
        r = [x for x in rows if x["alpha"] == a]
        if not r:
            continue
        hz = np.nanmedian([x["stride_hz"] for x in r])
        chz = np.nanmedian([x["circuit_hz"] for x in r])
        walk = sum(abs(x["stride_hz"] - WALK_HZ[0]) <= WALK_HZ[1] for x in r)
        trot = sum(abs(x["stride_hz"] - TROT_HZ[0]) <= TROT_HZ[1] for x in r)
        toe = np.nanmedian([x["toe_share"] for x in r])
        lifted = np.nanmedian([x["beats_lifted"] for x in r])
        scraped = np.nanmedian([x["beats_scraped"] for x in r])
        phases = "  ".join("%.2f/%.2f" % circ_mean([x[key] for x in r]) for key, _, _, _ in PHASES)
        names = {}
        for x in r:
            names[x["gait"]] = names.get(x["gait"], 0) + 1
        print(f"{a:5g}  {len(r):4d}  {hz:5.2f} ({chz:4.2f}), {walk} / {trot}  {lifted:.2f}/{scraped:.2f}  {toe:.2f}  {phases}  "
              + ", ".join(f"{k} {v}" for k, v in sorted(names.items())))


def plot(rows, alphas, circuit, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 7), sharex=True)
    if circuit:
        c = [x for x in csv.DictReader(open(circuit), delimiter="\t") if x["circuit"] == "intact"
             and float(x["alpha"]) <= max(alphas) + 0.05]
        ca = [float(x["alpha"]) for x in c]
        for key, _, label, colour in PHASES:
            top.plot(ca, [float(x[key]) for x in c], "x", ms=3, color=colour, alpha=0.6)
        bottom.plot(ca, [float(x["frequency_hz"]) for x in c], "-", color="grey", label="circuit alone (run/gait/sweep)")
    jitter = 0.006 * (max(alphas) - min(alphas)) / 0.55
    for i, (key, _, label, colour) in enumerate(PHASES):
        xs = [x["alpha"] + (i - 1) * jitter for x in rows]
        top.plot(xs, [x[key] for x in rows], "o", ms=4, color=colour, mfc="none",
                 label=f"{label}: body, each seed")
    top.set_ylim(-0.02, 1.02)
    top.set_ylabel("touch-down phase in the left-hind cycle")
    top.legend(loc="upper right", fontsize=7)
    top.set_title("the body's gait against drive (x: the circuit alone's phases)", fontsize=10)
    bottom.plot([x["alpha"] for x in rows], [x["stride_hz"] for x in rows], "ko", ms=4, mfc="none",
                label="body: left-hind strides, each seed")
    med = [np.nanmedian([x["stride_hz"] for x in rows if x["alpha"] == a]) for a in alphas]
    bottom.plot(alphas, med, "k-", lw=2, label="body: median")
    for (mean, sd), colour, name in ((WALK_HZ, "C0", "walk"), (TROT_HZ, "C2", "trot")):
        bottom.axhspan(mean - sd, mean + sd, color=colour, alpha=0.15)
        bottom.text(min(alphas), mean - sd + 0.1, f"mouse {name} {mean} +- {sd} Hz (Bellardita & Kiehn 2015)",
                    fontsize=7, color=colour)
    bottom.set_ylim(0, 9)
    bottom.set_xlabel("brainstem drive alpha")
    bottom.set_ylabel("stride frequency (Hz)")
    bottom.legend(loc="upper left", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outroot")
    ap.add_argument("--alphas", default="0.05,0.1,0.2,0.3,0.45,0.6")
    ap.add_argument("--seeds", default="111-118")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--experiment", default=os.path.join(ROOT, "run", "cpg_gait.yaml"))
    ap.add_argument("--circuit", help="run/gait/sweep's TSV, drawn under the body's points")
    ap.add_argument("--plot")
    ap.add_argument("--tsv")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()
    if not os.access(gait_seeds.BRAINBODY, os.X_OK):
        raise SystemExit(f"body_sweep.py: {gait_seeds.BRAINBODY} is not built (cmake --build build)")
    try:
        alphas = [float(a) for a in args.alphas.split(",")]
    except ValueError:
        raise SystemExit(f"body_sweep.py: --alphas: '{args.alphas}' is not a comma-separated list of numbers")
    seeds = gait_seeds.seed_list(args.seeds)
    jobs = [(a, s) for a in alphas for s in seeds]
    rows, failed = [], 0
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for (a, s), (row, why) in zip(jobs, pool.map(lambda j: one(args, *j), jobs)):
            if row is None:
                print(f"alpha {a:g} seed {s}: failed ({why})", flush=True)
                failed += 1
            else:
                rows.append(row)
    if args.tsv and rows:
        with open(args.tsv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter="\t")
            w.writeheader()
            for r in rows:
                w.writerow({k: (f"{v:.4f}" if isinstance(v, float) else v) for k, v in r.items()})
    summarise(rows, alphas)
    if args.plot and rows:
        plot(rows, alphas, args.circuit, args.plot)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
