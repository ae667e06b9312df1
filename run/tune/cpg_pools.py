#!/usr/bin/env python3
"""A search over the spinal motor pools' weights of
run/maps/locomotion_coupling.yaml (docs/experiments.md): how strongly the
locomotor circuit's flexor and extensor pools excite the hind- and
forelimb muscles. Its result (docs/experiments.md): no pair gives a
regular gait, because at every pair the hindquarters roll onto their side
within the first 0.5 s; the map keeps weight 1.

At weight 1 a pool at the circuit's full activity gives its muscles
excitation 1: the strongest forelimb muscle (triceps brachii long head,
4.65 N) then pulls with about 19 body weights and slams the joints into
their limits, and stepping in the head-fixed body loses cycles. Lower
weights are what locomotion uses: hindlimb EMG in walking and trotting
rodents is a fraction of the maximal (e.g. 10-40 %, Roy et al. 1991,
J Appl Physiol 70:2522).

For each pair (hind weight, fore weight), run/cpg_gait.yaml (3 ranks,
2 s) with the map's CPG pathways at those weights, and from body.h5's
paw contacts (debounced to phases >= 20 ms, as body/gait.c does) measure:
the left-hind stride frequency against the circuit's own (bb_cpg_sweep
at the run's alpha), the spread of the stride periods (coefficient of
variation), the right-hind phase, the forepaws' touch-downs, and the
pelvis's mean |roll| after settling (from the root's quaternion). Score:
a regular hind gait that keeps the circuit's rhythm (|f/f_cpg - 1| + CV
+ |phase - 0.5|, lower is better).

Usage: run/tune/cpg_pools.py OUTROOT [--ranks 3] [--seconds 2]
Prints one line per run and the ranking; the runs stay in OUTROOT (a run
already complete there is read, not run again)."""
import argparse
import os
import re
import subprocess

import h5py
import numpy as np
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BRAINBODY = os.path.join(ROOT, "build", "coupler", "brainbody")
SWEEP = os.path.join(ROOT, "build", "run", "gait", "bb_cpg_sweep")
EXPERIMENT = os.path.join(ROOT, "run", "cpg_gait.yaml")
# The search ran on the earlier run/cpg_gait.yaml: 20-cell pools, no postural
# tone (docs/experiments.md); pinned here so that it reproduces its result.
EARLIER = ["--set", "brain.cpg.cells_per_pool=20", "--set", "brain.posture.tone=0"]
MAP = os.path.join(ROOT, "run", "maps", "locomotion_coupling.yaml")
HIND = [0.15, 0.3, 0.5, 1.0]
FORE = [0.1, 0.3, 1.0]
SETTLE_S = 0.5


def weighted_map(path, hind, fore):
    """The map with every CPG pathway's weight set: hind or fore by the pool's limb."""
    out = []
    with open(MAP) as f:
        for line in f:
            m = re.search(r"pool: CPG_[LR]([HF])_", line)
            if m:
                line = re.sub(r",? ?weight: [0-9.]+", "", line)
                line = line.replace("{pool:", "{weight: %g, pool:" % (hind if m.group(1) == "H" else fore), 1)
            out.append(line)
    with open(path, "w") as f:
        f.writelines(out)


def stances(contact, dt, min_s=0.02):
    """Touch-down indices of a contact flag debounced to phases of at least min_s."""
    k = max(1, int(round(min_s / dt)))
    state, run, last, downs = contact[0], 0, contact[0], []
    for i, c in enumerate(contact):
        run = run + 1 if c == last else 1
        last = c
        if c != state and run >= k:
            state = c
            if c:
                downs.append(i - k + 1)
    return np.array(downs)


def measure(out):
    with h5py.File(os.path.join(out, "body.h5"), "r") as f:
        t = f["time"][()]
        c = f["touch/paw_contact"][()] > 0
        names = [n.decode() for n in f["touch/grids"][()]]
        w, x, y, z = f["body/qpos"][()][:, 3:7].T  # the root (pelvis) free joint's quaternion
    dt = t[1] - t[0]
    keep = t >= SETTLE_S
    roll = np.degrees(np.abs(np.arcsin(np.clip(2 * (y * z + x * w), -1, 1))))[keep].mean()
    c = c[keep]
    lh, rh = stances(c[:, names.index("L_pes_touch")], dt), stances(c[:, names.index("R_pes_touch")], dt)
    fore = [len(stances(c[:, names.index(n)], dt)) for n in ("L_manus_touch", "R_manus_touch")]
    if len(lh) < 3:
        return dict(f=np.nan, cv=np.nan, phase=np.nan, fore=fore, roll=roll)
    periods = np.diff(lh) * dt
    phases = []
    for a, b in zip(lh[:-1], lh[1:]):
        inside = rh[(rh >= a) & (rh < b)]
        if len(inside):
            phases.append((inside[0] - a) / (b - a))
    return dict(f=1 / periods.mean(), cv=periods.std() / periods.mean(),
                phase=float(np.median(phases)) if phases else np.nan, fore=fore, roll=roll)


def cpg_hz(alpha):
    rows = subprocess.run([SWEEP], check=True, capture_output=True, text=True).stdout.splitlines()
    best = None
    for r in rows[1:]:
        circuit, a, _, hz = r.split("\t")[:4]
        if circuit == "intact" and (best is None or abs(float(a) - alpha) < abs(best[0] - alpha)):
            best = (float(a), float(hz))
    return best[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outroot")
    ap.add_argument("--ranks", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--set", action="append", default=[], help="KEY=VALUE passed to every run")
    ap.add_argument("--hind", type=float, nargs="*", default=HIND)
    ap.add_argument("--fore", type=float, nargs="*", default=FORE)
    a = ap.parse_args()
    os.makedirs(a.outroot, exist_ok=True)
    with open(EXPERIMENT) as f:
        alpha = yaml.safe_load(f)["brain"]["cpg"]["alpha"]
    f_cpg = cpg_hz(alpha)
    print(f"circuit alone at alpha {alpha}: {f_cpg:.2f} Hz")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_btl_vader_single_copy_mechanism="none")
    results = []
    for hind in a.hind:
        for fore in a.fore:
            out = os.path.join(a.outroot, f"hind{hind}_fore{fore}")
            record_path = os.path.join(out, "run.yaml")
            done = False
            if os.path.exists(record_path):
                with open(record_path) as f:
                    done = (yaml.safe_load(f) or {}).get("status") == "complete"
            if not done:
                os.makedirs(a.outroot, exist_ok=True)
                mp = os.path.join(a.outroot, f"map_hind{hind}_fore{fore}.yaml")
                weighted_map(mp, hind, fore)
                subprocess.run(["mpirun", "-np", str(a.ranks), BRAINBODY, "run", EXPERIMENT, "--out", out, "--force",
                                "--set", f"experiment.duration_s={a.seconds}", "--set", f"coupling.map={mp}"] + EARLIER + [x for kv in a.set for x in ("--set", kv)],
                               check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            m = measure(out)
            score = abs(m["f"] / f_cpg - 1) + m["cv"] + abs(m["phase"] - 0.5)
            results.append((score, hind, fore, m))
            print(f"hind {hind:4} fore {fore:4}: left-hind {m['f']:.2f} Hz, CV {m['cv']:.2f}, right-hind phase "
                  f"{m['phase']:.2f}, forepaw touch-downs {m['fore'][0]}/{m['fore'][1]}, pelvis roll {m['roll']:.0f} deg, "
                  f"score {score:.2f}", flush=True)
    print("ranking (best first):")
    for score, hind, fore, m in sorted(results, key=lambda r: (np.isnan(r[0]), r[0])):
        print(f"  hind {hind} fore {fore}: score {score:.2f}")


if __name__ == "__main__":
    main()
