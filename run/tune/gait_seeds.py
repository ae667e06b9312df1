#!/usr/bin/env python3
"""How an experiment's body fares across seeds: the check behind
docs/experiments.md's cpg_gait seed tables (run/tune/README.md, "Across
seeds"). The body near its upright state is chaotic (a 5 ms difference
decides whether it tips), so one seed says little: a setting is judged by
how many seeds stand, on seeds no search has used.

Runs the experiment (default run/cpg_gait.yaml) once per seed on one rank,
two at a time, with any extra `--set KEY=VALUE`, and reads each run.yaml's
gait: block. A run falls when its pelvis rolls past --fall-deg (default 30:
on its side) at any time. Per seed it prints the mean and largest |roll|,
the left-hind strides and their frequency, the hind duty factors, the
right-hind touch-down phase in the left-hind cycle and the hip steps, and
how the left hind's lift-offs follow the circuit's flexor bursts (locking()),
and the share of the time its hip, knee and ankle sit at an end of their
range (at_limit(): a limb held at its joint limits is a strut, not a
stepping leg) and how fast its paw slides over the belt while down
(run.yaml's slip_m_per_s: near 0 for a paw that grips; nan for runs
recorded before the gait log had it), and the pelvis's mean |yaw| (its
heading from the belt's axis, as run.yaml's pelvis_yaw_deg, from body.h5 so
that older runs have it too; a run whose mean passes --turn-deg, default 20,
"turned": its hindquarters swung sideways, which the gait numbers do not
show), and its forward speed over the belt (run.yaml's speed_m_per_s; with
body.treadmill.drive=free, how fast it walks the belt back itself); then how
many seeds fell and turned, and the medians over those that did not fall.

Usage: run/tune/gait_seeds.py OUTROOT [--seeds 101-110,20261126] [--seconds 6]
       [--experiment run/cpg_gait.yaml] [--fall-deg 30] [--turn-deg 20] [--set KEY=VALUE ...]
The runs stay in OUTROOT/SEED (a complete one there with the same settings
is read, not run again)."""
import argparse
import concurrent.futures
import functools
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import h5py
import numpy as np
import yaml

from cpg_feedback import burst_hz, flexor_onsets

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "run"))
from plot import stance  # noqa: E402  the gait: block's debouncing, as run/plot draws it
BRAINBODY = os.path.join(ROOT, "build", "coupler", "brainbody")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_btl_vader_single_copy_mechanism="none")


def seed_list(text):
    seeds = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        try:
            seeds += list(range(int(lo), int(hi) + 1)) if hi else [int(lo)]
        except ValueError:
            raise SystemExit(f"gait_seeds.py: --seeds: '{part}' is not a seed or a range A-B")
    return seeds


def circ_dist(a, b):
    """How far apart two phases (cycle fractions) are around the cycle: 0 to 0.5.
    Also for fore_weights.py and run/gait/body_sweep.py."""
    d = abs(a - b) % 1
    return min(d, 1 - d)


def locking(out, record):
    """How the left hind paw's steps follow the circuit: the circuit's rhythm
    (Hz, from the CPG_LH_flexor pool's bursts), the vector strength R (0:
    none, 1: every lift-off at the same phase) and mean phase of the paw's
    lift-offs in the flexor cycle (0: the burst's onset), and the share of the
    circuit's cycles with a lift-off, and Rayleigh's p (the chance of an R as
    large from lift-offs at random phases). Lift-offs: the paw's contact debounced
    as run.yaml's gait: block is (phases of at least 20 ms). NaN without pools."""
    nan = (float("nan"),) * 5
    if "CPG_LH_flexor" not in record.get("pools", {}):
        return nan
    on = flexor_onsets(out, record)
    if len(on) < 3:
        return nan
    with h5py.File(os.path.join(out, "body.h5"), "r") as f:
        t = f["time"][()]
        names = [n.decode() for n in f["touch/grids"][()]]
        down = f["touch/paw_contact"][()][:, names.index("L_pes_touch")] > 0
    down = stance(down, t[1] - t[0])
    lifts = t[1:][down[:-1] & ~down[1:]]
    lifts = lifts[(lifts >= on[0]) & (lifts < on[-1])]
    if not len(lifts):
        return burst_hz(on), float("nan"), float("nan"), 0.0, float("nan")
    j = np.searchsorted(on, lifts, side="right") - 1
    z = np.exp(2j * np.pi * (lifts - on[j]) / (on[j + 1] - on[j]))
    r = float(abs(z.mean()))
    return (burst_hz(on), r, float(np.angle(z.mean()) / (2 * np.pi) % 1),
            len(set(j)) / (len(on) - 1), float(np.exp(-len(z) * r * r)))  # Rayleigh's p, large-n form


AT_LIMIT_JOINTS = ("L_hip_flex", "L_knee", "L_ankle_flex")


@functools.lru_cache(maxsize=None)
def joint_ranges(model):
    """{joint: (lo, hi)} in degrees of the model's limited joints (their
    <joint range>, in the compiler's angle unit): read once per model. Also
    for start_pose.py."""
    try:
        root = ET.parse(model).getroot()
    except (OSError, ET.ParseError) as e:
        raise SystemExit(f"gait_seeds.py: the model a run names in its run.yaml (body.model) cannot be read: {model}: {e}")
    compiler = root.find("compiler")
    degree = compiler is None or compiler.get("angle", "degree") == "degree"
    ranges = {}
    for j in root.iter("joint"):
        if j.get("name") and j.get("range") and j.get("limited", "true") != "false":
            lo, hi = (float(v) for v in j.get("range").split())
            ranges[j.get("name")] = (lo, hi) if degree else (math.degrees(lo), math.degrees(hi))
    return ranges


def at_limit(out, record, within_deg=2.0, after_s=0.5):
    """The share of the time after after_s that each of AT_LIMIT_JOINTS is
    within within_deg of either end of its range (the model's <joint range>,
    degrees), as a tuple in that order. run.yaml's gait: at_range_end: is the
    same measure over the whole run, settling included."""
    ranges = joint_ranges(record["config"]["body"]["model"])
    with h5py.File(os.path.join(out, "body.h5"), "r") as f:
        t = f["time"][()]
        names = [n.decode() if isinstance(n, bytes) else n for n in f["joints/names"][()]]
        angles = np.degrees(f["joints/angle"][()][t >= after_s])
    shares = []
    for joint in AT_LIMIT_JOINTS:
        if joint not in ranges or joint not in names:
            shares.append(float("nan"))
            continue
        lo, hi = ranges[joint]
        a = angles[:, names.index(joint)]
        shares.append(float(np.mean((a <= lo + within_deg) | (a >= hi - within_deg))))
    return tuple(shares)


def mean_abs_yaw(out):
    """The pelvis's mean |yaw| (deg) over the run, as the coupler's gait log
    computes it (bb_body_yaw: the heading of its x axis, atan2 of the x and y
    components), from body.h5's root quaternion."""
    with h5py.File(os.path.join(out, "body.h5"), "r") as f:
        q = f["body/qpos"][()]
    w, x, y, z = q[:, 3], q[:, 4], q[:, 5], q[:, 6]
    return float(np.mean(np.abs(np.degrees(np.arctan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z))))))


def run_record(args, seed):
    """Runs one seed (or reads its run again when the same command made it):
    (its run.yaml as a dict, None) or (None, why it failed). Also for
    fore_weights.py."""
    out = os.path.join(args.outroot, str(seed))
    sets = [f"experiment.seed={seed}", f"experiment.duration_s={args.seconds}"] + args.set
    cmd = [BRAINBODY, "run", args.experiment, "--out", out, "--force"]
    for s in sets:
        cmd += ["--set", s]
    record_path, log = os.path.join(out, "run.yaml"), out + ".log"
    record = None
    if os.path.exists(record_path) and os.path.exists(out + ".cmd"):
        with open(out + ".cmd") as f:
            same = f.read() == " ".join(cmd)
        if same:
            with open(record_path) as f:
                record = yaml.safe_load(f)
    if not record or record.get("status") != "complete":
        os.makedirs(args.outroot, exist_ok=True)
        with open(log, "w") as f:
            rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env=ENV).returncode
        if rc != 0 or not os.path.exists(record_path):
            with open(log) as f:
                last = ([line.strip() for line in f if line.strip()] or ["no output"])[-1]
            return None, f"exit {rc}: {last} (all of it in {log})"
        with open(out + ".cmd", "w") as f:
            f.write(" ".join(cmd))
        with open(record_path) as f:
            record = yaml.safe_load(f)
    return record, None


def run(args, seed):
    out = os.path.join(args.outroot, str(seed))
    record, why = run_record(args, seed)
    if record is None:
        return seed, None, why
    g = record.get("gait")
    if g is not None:
        g = dict(g, locking=locking(out, record), at_limit=at_limit(out, record), yaw=mean_abs_yaw(out))
    return seed, g, None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outroot")
    ap.add_argument("--seeds", default="101-110", help="comma-separated seeds and ranges A-B")
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--experiment", default=os.path.join(ROOT, "run", "cpg_gait.yaml"))
    ap.add_argument("--fall-deg", type=float, default=30.0)
    ap.add_argument("--turn-deg", type=float, default=20.0)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()
    if not os.access(BRAINBODY, os.X_OK):
        raise SystemExit(f"gait_seeds.py: {BRAINBODY} is not built (run/test or cmake --build build)")
    seeds = seed_list(args.seeds)
    nan = float("nan")
    rows = []
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for seed, g, why in pool.map(lambda s: run(args, s), seeds):
            if g is None:
                print(f"seed {seed}: failed ({why})", flush=True)
                continue
            roll = g["pelvis_roll_deg"]
            r = dict(seed=seed, mean=roll["mean_abs"], max=roll["max_abs"], strides=g.get("strides", 0),
                     hz=g.get("stride_hz", nan), duty_lh=g.get("duty", {}).get("L_pes", nan),
                     duty_rh=g.get("duty", {}).get("R_pes", nan),
                     phase=g.get("phase", {}).get("R_pes", nan), step_lh=g["step_deg"]["L_pes"],
                     step_rh=g["step_deg"]["R_pes"], slip_lh=g.get("slip_m_per_s", {}).get("L_pes", nan),
                     speed=g["speed_m_per_s"])
            r["circuit_hz"], r["lock_r"], r["lock_phase"], r["cycles"], r["lock_p"] = g["locking"]
            r["hip_lim"], r["knee_lim"], r["ankle_lim"] = g["at_limit"]
            r["fell"] = r["max"] > args.fall_deg
            r["yaw"] = g["yaw"]
            r["turned"] = r["yaw"] > args.turn_deg
            rows.append(r)
            print(f"seed {seed}: roll mean {r['mean']:.1f} largest {r['max']:.1f} deg{' FELL' if r['fell'] else ''}, "
                  f"{r['strides']} strides {r['hz']:.2f} Hz, duty LH {r['duty_lh']:.2f} RH {r['duty_rh']:.2f}, "
                  f"RH phase {r['phase']:.2f}, step LH {r['step_lh']:.1f} RH {r['step_rh']:.1f} deg; circuit "
                  f"{r['circuit_hz']:.2f} Hz, LH lift-offs at its phase {r['lock_phase']:.2f} (R {r['lock_r']:.2f}, "
                  f"p {r['lock_p']:.2g}) "
                  f"in {100 * r['cycles']:.0f} % of its cycles; LH at a range end: hip {100 * r['hip_lim']:.0f} %, "
                  f"knee {100 * r['knee_lim']:.0f} %, ankle {100 * r['ankle_lim']:.0f} %; LH slip "
                  f"{r['slip_lh']:.3f} m/s; yaw {r['yaw']:.1f} deg{' TURNED' if r['turned'] else ''}; speed "
                  f"{r['speed']:.3f} m/s", flush=True)
    up = [r for r in rows if not r["fell"]]
    print(f"\n{len(rows) - len(up)} of {len(rows)} fell (|roll| past {args.fall_deg:g} deg in {args.seconds:g} s); "
          f"{sum(r['turned'] for r in up)} of the rest turned (mean |yaw| past {args.turn_deg:g} deg)")
    if up:
        def median(values):  # NaN when none is a number (the circuit's pools off: no locking)
            values = [v for v in values if v == v]
            return float(np.median(values)) if values else float("nan")

        med = {k: median([r[k] for r in up]) for k in
               ("mean", "strides", "hz", "duty_lh", "duty_rh", "phase", "step_lh", "step_rh", "circuit_hz",
                "lock_r", "cycles", "hip_lim", "knee_lim", "ankle_lim", "slip_lh", "yaw", "speed")}
        alternating = sum(abs(r["phase"] - 0.5) <= 0.15 for r in up)
        locked = sum(r["lock_p"] < 0.05 for r in up)
        near_onset = sum(min(r["lock_phase"], 1 - r["lock_phase"]) <= 0.15 for r in up)  # NaN: False
        print(f"medians of the {len(up)} that stood: roll {med['mean']:.1f} deg, {med['strides']:g} strides "
              f"{med['hz']:.2f} Hz, duty LH {med['duty_lh']:.2f} RH {med['duty_rh']:.2f}, RH phase "
              f"{med['phase']:.2f} ({alternating} within 0.5 +- 0.15), step LH {med['step_lh']:.1f} "
              f"RH {med['step_rh']:.1f} deg; circuit {med['circuit_hz']:.2f} Hz, LH lift-offs' mean phase within "
              f"0.15 of its flexor bursts' onset in {near_onset}, R {med['lock_r']:.2f} (p < 0.05 in {locked}), in "
              f"{100 * med['cycles']:.0f} % of its cycles; LH at a range end: hip {100 * med['hip_lim']:.0f} %, "
              f"knee {100 * med['knee_lim']:.0f} %, ankle {100 * med['ankle_lim']:.0f} %; LH slip "
              f"{med['slip_lh']:.3f} m/s; yaw {med['yaw']:.1f} deg; speed {med['speed']:.3f} m/s")
    return 1 if len(rows) < len(seeds) else 0


if __name__ == "__main__":
    sys.exit(main())
