#!/usr/bin/env python3
"""Search for the forelimb rows of the spinal circuit's motor pools that
make the forepaws step on the belt in trot with the hind paws
(run/tune/README.md, "Forelimb stepping under a lowered head post").

What is tuned: for each forelimb row of run/tune/cpg_gait_weights.tsv
(F_flexor and F_extensor, a glob such as "triceps_brachii_*"), the weight
with which its limb's flexor or extensor centre excites it, the same for
left and right; and, as one more coordinate, the head post's height
(body.head_height_mm). Nothing else: the hind rows stay as committed, and
the circuit, the cortex, the afferents, the stretch reflex and the belt
are run/push_recovery.yaml's without its push (--set adds to them).

Each evaluation is one coupler run per seed on one rank (--seconds long,
two at a time), scored from run.yaml's gait: block, mean over the seeds:
  cost = per forepaw: 20 x distance of its duty from [0.3, 0.8]
                    + 10 x its slip over the belt / the belt's speed
                      (1 for a paw the belt drags, 0 for one that grips;
                      1 when it never stays down)
       + 10 x the circular distance of the right forepaw's touch-down phase
         in the left hind's cycle from 0 (trot: diagonal pairs together,
         Bellardita & Kiehn 2015 Fig. 1) and 10 x that of the left
         forepaw's from 0.5; 10 for a paw that never touched down
       + 10 x the right hind's from 0.5 (the hind limbs still alternate)
       + 0.5 x mean |pelvis roll| (deg)
The search is coordinate descent over VALUES for --passes passes.

Usage: run/tune/fore_weights.py OUTDIR [--passes 1] [--seconds 3] [--seeds 101,102]
       [--start 0.3 | --start-from-base] [--head -12] [--base WEIGHTS.tsv]
       [--experiment run/push_recovery.yaml] [--set KEY=VALUE ...]
--base is the weights file whose rows are searched and kept (default
run/tune/cpg_gait_weights.tsv); --start-from-base starts each forelimb row
at its weight there instead of at --start. --experiment is the file each
run is made from (body.perturb.enabled=false is set on it either way).
Writes OUTDIR/best.tsv (the weights file, head height in a comment) and
OUTDIR/best.yaml (its map), and prints every evaluation."""
import argparse
import concurrent.futures
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import gait_seeds  # noqa: E402  its run_record() (one seed's coupler run, read again when the same command made it), circ_dist()

BASE = os.path.join(HERE, "cpg_gait_weights.tsv")
VALUES = [0, 0.1, 0.3, 0.6, 1.0]
HEADS = [-6, -9, -12, -15]
BELT = 0.2  # m/s, run/push_recovery.yaml's


def read_rows(base):
    head, rows = [], []
    for line in open(base):
        p = line.rstrip("\n").split("\t")
        if len(p) == 3:
            rows.append([p[0], p[1], float(p[2])])
        else:
            head.append(line.rstrip("\n"))
    return head, rows


def write_map(out, tag, head, rows, weights):
    tsv = os.path.join(out, tag + ".tsv")
    with open(tsv, "w") as f:
        for h in head:
            f.write(h + "\n")
        for pool, glob, w in rows:
            f.write(f"{pool}\t{glob}\t{weights.get((pool, glob), w):g}\n")
    ymap = os.path.join(out, tag + ".yaml")
    subprocess.run([sys.executable, os.path.join(HERE, "gait_map.py"), tsv, ymap, "--cells-per-pool", "200"],
                   check=True, capture_output=True)
    return tsv, ymap


def one_run(args):
    """One seed of the experiment (run/push_recovery.yaml) without its push: its gait: block, or None if the run failed."""
    out, seed, sets, seconds, experiment = args
    run_args = argparse.Namespace(outroot=out, seconds=seconds, set=["body.perturb.enabled=false"] + sets,
                                  experiment=experiment)
    record, _ = gait_seeds.run_record(run_args, seed)
    return record.get("gait") if record else None


def score(g):
    if not g:
        return 100.0, "failed"
    cost, duty, phase, slip = 0.0, g["duty"], g["phase"], g["slip_m_per_s"]
    for paw in ("L_manus", "R_manus"):
        du = duty[paw]
        cost += 20 * max(0.0, 0.3 - du, du - 0.8)
        sl = slip[paw]
        cost += 10 * (1.0 if sl is None or (isinstance(sl, float) and math.isnan(sl)) else min(1.0, sl / BELT))
    for paw, target in (("R_manus", 0.0), ("L_manus", 0.5), ("R_pes", 0.5)):
        p = phase[paw]
        cost += 10 * (1.0 if p is None or (isinstance(p, float) and math.isnan(p)) else gait_seeds.circ_dist(p, target) / 0.5)
    cost += 0.5 * g["pelvis_roll_deg"]["mean_abs"]
    return cost, (f"duty {duty['L_manus']:.2f}/{duty['R_manus']:.2f} slip {slip['L_manus']}/{slip['R_manus']} "
                  f"phase LF {phase['L_manus']} RF {phase['R_manus']} RH {phase['R_pes']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--passes", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--seeds", default="101,102")
    ap.add_argument("--start", type=float, default=0.3)
    ap.add_argument("--start-from-base", action="store_true")
    ap.add_argument("--base", default=BASE)
    ap.add_argument("--experiment", default=os.path.join(ROOT, "run", "push_recovery.yaml"))
    ap.add_argument("--head", type=float, default=-12)
    ap.add_argument("--set", action="append", default=[])
    a = ap.parse_args()
    for what, path in (("--base", a.base), ("--experiment", a.experiment)):
        if not os.path.isfile(path):
            sys.exit(f"fore_weights.py: {what} {path}: no such file")
    os.makedirs(a.out, exist_ok=True)
    head, rows = read_rows(a.base)
    weights = {(p, g): (w if a.start_from_base else a.start) for p, g, w in rows if p.startswith("F_")}
    fore = list(weights)  # the forelimb rows, in the file's order
    experiment = os.path.abspath(a.experiment)
    state = {"head": a.head, "n": 0}
    seeds = a.seeds.split(",")
    pool = concurrent.futures.ThreadPoolExecutor(2)

    def evaluate(weights, head_mm, what):
        state["n"] += 1
        tag = f"e{state['n']:03d}"
        _, ymap = write_map(a.out, tag, head, rows, weights)
        sets = [f"coupling.map={ymap}", f"body.head_height_mm={head_mm:g}"] + a.set
        jobs = [(os.path.join(a.out, tag), s, sets, a.seconds, experiment) for s in seeds]
        scored = [score(g) for g in pool.map(one_run, jobs)]
        cost = sum(c for c, _ in scored) / len(scored)
        print(f"{tag} {what:40s} cost {cost:6.2f}  " + " | ".join(t for _, t in scored), flush=True)
        return cost

    best = state["first"] = evaluate(weights, state["head"], "start")
    for _ in range(a.passes):
        for key in fore + ["head"]:
            for v in (HEADS if key == "head" else VALUES):
                if key == "head":
                    if v == state["head"]:
                        continue
                    c = evaluate(weights, v, f"head {v} mm")
                    if c < best:
                        best, state["head"] = c, v
                else:
                    if v == weights[key]:
                        continue
                    trial = dict(weights)
                    trial[key] = v
                    c = evaluate(trial, state["head"], f"{key[0]} {key[1]} {v:g}")
                    if c < best:
                        best, weights = c, trial
            print(f"kept: head {state['head']} mm, " + ", ".join(f"{g} {weights[(p, g)]:g}" for p, g in fore),
                  f"cost {best:.2f}", flush=True)
    first = state["first"]
    note = [f"# run/tune/fore_weights.py {' '.join(sys.argv[1:])} (run/tune/README.md): the F_ rows; "
            f"cost {first:.2f} -> {best:.2f}, with body.head_height_mm={state['head']:g}",
            f"# the H_ rows are {os.path.relpath(os.path.abspath(a.base), ROOT)}'s, whose header follows:"]
    tsv, _ = write_map(a.out, "best", note + head, rows, weights)
    print(f"best: {tsv}, cost {best:.2f}, head {state['head']:g} mm")


if __name__ == "__main__":
    main()
