#!/usr/bin/env python3
"""Search for the spinal motor pools' muscle weights of
run/maps/locomotion_coupling.yaml that let the head-fixed body step upright
(run/tune/README.md, "Locomotor motor-pool weights").

What is tuned: for each muscle row of the map's CPG pathways (a glob such as
"L_vastus_*"), the weight with which its limb's flexor or extensor
rhythm-generator centre excites it, the same for left and right (the map is
mirrored), and the gain of the segmental stretch reflex
(brain.stretch_reflex.gain). Nothing else: the circuit, its drive, the
body and the treadmill are those of run/cpg_gait.yaml.

Each evaluation is one run of bb_gait_body (run/tune/gait_body.c: the body
alone driven by the circuit's centre activities, no spikes or cortex,
deterministic), measured over [--settle, --seconds):
  cost = max(0, 28 - pelvis height mm)          the hindquarters held up
       + 0.5 x mean |pelvis roll| (deg)         upright in the frontal plane
       + 0.3 x mean |pelvis pitch| (deg)        and in the sagittal plane
       + per paw: 20 x distance of its duty from [0.3, 0.8]
                  + 2 per touch-down short of 70 % of the circuit's cycles
       + per limb pair: 0.5 per degree of step (hip or shoulder flexion
         range) short of 15 deg
       + 10 x the circular distance of the right hind paw's touch-down
         phase in the left hind's cycle from 0.5 (Bellardita & Kiehn 2015:
         the hind limbs alternate at walk and trot); 10 with fewer than 3
         left-hind strides
       + --limit-cost (default 0) x the mean over both hind limbs of the
         share of the time the hip and the ankle each sit within 2 deg of
         an end of their range (bb_gait_body's hip_lim_K, ankle_lim_K): a
         limb pinned at its limits is a strut dragged by the belt, not a
         stepping leg (run/tune/README.md, "Pinned at the joint limits")
The search is coordinate descent: each weight in turn is set to each of
VALUES and the best kept, for --passes passes, two evaluations at a time.

Usage: run/tune/gait_weights.py OUT.tsv [--passes 2] [--seconds 1.5] [--alpha 0.3]
       [--start-weight 0.3] [--start-fore W] [--start-reflex 40] [--model MODEL.xml] [--base TONE.tsv]
       [--roll-reflex KP KD] [--free] [--start-file W.tsv] [--extra POOL:GLOB,...]
       [--cells N [--seeds 1,2,3] [--cortex F1,F2,F3]] [--search-pools POOL,...] [--limit-cost K]
       run/tune/gait_weights.py OUT.tsv --dump WEIGHT   (the map's rows at one weight, for bb_gait_body)
--base: rows added to every evaluation (e.g. run/tune/antigravity_tone.tsv);
--roll-reflex: bb_gait_body's righting reflex on those rows.
--start-fore: the forelimb rows' start weight (default --start-weight).
--start-file: start from an earlier result (rows it names; the others at
the start weights). --extra: rows the map does not have, searched too
(e.g. H_flexor:semitendinosus), starting at 0. --cells: the motor pools'
spikes as the coupler makes them (N cells each, bb_gait_body --cells), and
the cost the mean over --seeds: the body is chaotic near its upright
optimum (a 5 ms difference at the start decides whether it tips), so a
deterministic search finds points that stand only by luck. --cortex: each
seed's run gets one recorded cortical drive added (cortex_drive.py from a
coupler run's body.h5; bb_gait_body --add-excitation).
Writes the best weights to OUT.tsv (pool, glob, weight; the reflex gain in
a comment) and prints every coordinate tried and every improvement.

Result of one pass from weight 0.3 and reflex 40 on the committed model,
head-fixed (docs/experiments.md, "Why the body does not walk yet"): cost
44.1 -> 35.6 (hip flexors iliacus 0.1, rectus femoris 0.2, sartorius 0.2,
gluteus superficialis 0.2): pelvis 30.8 mm, roll 4 deg, pitch 18 deg, but no
forelimb weight lets a forepaw touch down; not adopted."""
import argparse
import concurrent.futures
import fnmatch
import os
import re
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, "models", "mouse_853muscle", "mouse.xml")
MAP = os.path.join(ROOT, "run", "maps", "locomotion_coupling.yaml")
BODY = os.path.join(ROOT, "build", "run", "tune", "bb_gait_body")
VALUES = [0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0]
REFLEX = [0, 10, 20, 40, 80]


def muscles(model):
    with open(model) as f:
        return re.findall(r'<muscle name="([^"]+)"', f.read())


def left_rows():
    """(pool suffix e.g. 'H_flexor', glob without its side prefix) for every left CPG row of the map."""
    rows = []
    with open(MAP) as f:
        for line in f:
            m = re.search(r"pool: CPG_L([HF]_\w+), muscles: \[(.*)\]", line)
            if m:
                rows += [(m.group(1), g[2:]) for g in re.findall(r'"([^"]+)"', m.group(2))]
    return rows


def write_weights(path, rows, weights, names):
    with open(path, "w") as f:
        for (pool, glob), w in zip(rows, weights):
            for side in "LR":
                for n in names:
                    if fnmatch.fnmatchcase(n, side + "_" + glob):
                        f.write(f"{n}\tCPG_{side}{pool}\t{w:g}\n")


def read_result(path):
    """An OUT.tsv: its comment lines, its (pool, glob, weight) rows and the
    stretch reflex gain it names (None if none); a bad line stops with its
    file and line."""
    comments, rows, reflex = [], [], None
    with open(path) as f:
        for number, line in enumerate(f, 1):
            m = re.match(r"# stretch_reflex.gain (\S+)", line)
            if line.startswith("#"):
                comments.append(line.rstrip())
                if m:
                    reflex = float(m.group(1))
                continue
            fields = line.split()
            if not fields:
                continue
            try:
                pool, glob, weight = fields
                rows.append((pool, glob, float(weight)))
            except ValueError:
                raise SystemExit(f"{path}:{number}: expected POOL<TAB>GLOB<TAB>WEIGHT, got {line.strip()!r}")
    return comments, rows, reflex


def run_body(args, path, reflex, seed):
    """One bb_gait_body run: its measures, or None if it failed."""
    extra = (["--roll-reflex", str(args.roll_reflex[0]), str(args.roll_reflex[1])] if args.roll_reflex else []) + \
            (["--free"] if args.free else []) + \
            (["--cells", str(args.cells), "--seed", str(seed)] if args.cells else []) + \
            (["--add-excitation", args.cortex[args.seeds.index(seed)]] if args.cortex else [])
    out = subprocess.run([BODY, args.model, path, "--alpha", str(args.alpha), "--seconds", str(args.seconds),
                          "--settle", str(args.settle), "--reflex", str(reflex)] + extra,
                         capture_output=True, text=True).stdout.split()
    if len(out) < 2 or out[-1] != "0":
        return None
    return {k: float(v) for k, v in zip(out[0::2], out[1::2])}


def cost_of(args, m):
    cycles = args.cpg_hz * (args.seconds - args.settle)
    cost = max(0.0, 28 - m["pelvis_z_mm"]) + 0.5 * m["roll_deg"] + 0.3 * m["pitch_deg"]
    for k in range(4):
        d = m[f"duty_{k}"]
        cost += 20 * max(0.0, 0.3 - d, d - 0.8) + 2 * max(0.0, 0.7 * cycles - m[f"downs_{k}"])
    for k in range(4):
        cost += 0.5 * max(0.0, 15 - m[f"step_{k}"])
    if args.limit_cost:
        cost += args.limit_cost * sum(m[f"{j}_lim_{k}"] for j in ("hip", "ankle") for k in (2, 3)) / 4
    phase = m.get("phase_3", float("nan"))
    cost += 10 * (abs((phase - 0.5 + 0.5) % 1.0 - 0.5) if m.get("strides", 0) >= 3 and phase == phase else 1.0)
    return cost


def evaluate(args, rows, names, weights, reflex):
    """The cost (the mean over --seeds with --cells) and the measures (their means;
    'upright': how many seeds kept the mean roll under 10 deg)."""
    fd, path = tempfile.mkstemp(suffix=".tsv")
    os.close(fd)
    try:
        write_weights(path, rows, weights, names)
        if args.base:
            with open(args.base) as src, open(path, "a") as dst:
                dst.write(src.read())
        runs = [run_body(args, path, reflex, s) for s in (args.seeds if args.cells else [0])]
    finally:
        os.unlink(path)
    if any(r is None for r in runs):
        return 1e9, {}
    m = {k: sum(r.get(k, 0) for r in runs) / len(runs) for k in runs[0]}
    phases = [r["phase_3"] for r in runs if r["phase_3"] == r["phase_3"]]  # NaN: a run without strides
    m["phase_3"] = sum(phases) / len(phases) if phases else float("nan")
    m["upright"] = sum(r["roll_deg"] < 10 for r in runs)
    m["seeds"] = len(runs)
    return sum(cost_of(args, r) for r in runs) / len(runs), m


def describe(m):
    return (f"z {m['pelvis_z_mm']:.1f} mm, roll {m['roll_deg']:.0f}, pitch {m['pitch_deg']:.0f}, duty "
            + "/".join(f"{m[f'duty_{k}']:.2f}" for k in range(4)) + ", downs "
            + "/".join(str(int(m[f'downs_{k}'])) for k in range(4)) + ", steps "
            + "/".join(f"{m[f'step_{k}']:.0f}" for k in range(4))
            + ", hip/ankle at a range end " + "/".join(f"{m.get(f'{j}_lim_{k}', float('nan')):.2f}" for j in ("hip", "ankle") for k in (2, 3))
            + f", {m.get('strides', 0):.3g} strides {m.get('stride_hz', 0):.2f} Hz, right-hind phase {m.get('phase_3', float('nan')):.2f}"
            + (f", upright in {m['upright']:.0f} of {m['seeds']:.0f} seeds" if m.get("seeds", 1) > 1 else ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=1.5)
    ap.add_argument("--settle", type=float, default=0.3)
    ap.add_argument("--alpha", type=float, default=0.3)
    ap.add_argument("--cpg-hz", type=float, default=4.8, help="the circuit's frequency at --alpha (bb_cpg_sweep)")
    ap.add_argument("--start-weight", type=float, default=0.3)
    ap.add_argument("--start-fore", type=float, help="the forelimb rows' start weight (default --start-weight)")
    ap.add_argument("--start-reflex", type=float, default=40)
    ap.add_argument("--start-file", help="an earlier OUT.tsv to start from")
    ap.add_argument("--extra", default="", help="POOL:GLOB,... rows searched besides the map's, from 0")
    ap.add_argument("--cells", type=int, default=0,
                    help="the pools' spikes as the coupler makes them, N cells per pool (bb_gait_body --cells)")
    ap.add_argument("--seeds", default="1,2,3", help="with --cells: the random streams averaged over")
    ap.add_argument("--cortex", help="with --cells: F1,F2,... one recorded cortical drive per seed (cortex_drive.py)")
    ap.add_argument("--search-pools", help="POOL,...: search only these pools' rows (e.g. H_flexor,H_extensor), not the reflex")
    ap.add_argument("--limit-cost", type=float, default=0.0,
                    help="cost per unit of the hind hips' and ankles' mean share of time at a range end")
    ap.add_argument("--model", default=MODEL)
    ap.add_argument("--base", help="weights rows added to every evaluation (TONE rows)")
    ap.add_argument("--roll-reflex", type=float, nargs=2, metavar=("KP", "KD"))
    ap.add_argument("--free", action="store_true", help="free on the floor instead of head-fixed over the belt")
    ap.add_argument("--dump", type=float, metavar="WEIGHT",
                    help="only write bb_gait_body's weights file of the map's CPG rows, all at WEIGHT, to OUT")
    args = ap.parse_args()
    args.seeds = [int(x) for x in args.seeds.split(",")]
    args.cortex = args.cortex.split(",") if args.cortex else None
    args.search_pools = args.search_pools.split(",") if args.search_pools else None
    if args.cortex and (not args.cells or len(args.cortex) != len(args.seeds)):
        ap.error("--cortex needs --cells and one file per seed")
    names, rows = muscles(args.model), left_rows()
    extra = [tuple(x.split(":", 1)) for x in args.extra.split(",") if x]
    for x in extra:
        if len(x) != 2 or not any(fnmatch.fnmatchcase(n, "L_" + x[1]) for n in names):
            ap.error(f"--extra {':'.join(x)}: not POOL:GLOB with GLOB matching a muscle (without its side)")
    if args.dump is not None:
        write_weights(args.out, rows, [args.dump] * len(rows), names)
        return
    fore = args.start_weight if args.start_fore is None else args.start_fore
    weights = [fore if pool.startswith("F_") else args.start_weight for pool, _ in rows] + [0.0] * len(extra)
    rows = rows + extra
    reflex = args.start_reflex
    if args.start_file:
        _, start, start_reflex = read_result(args.start_file)
        reflex = reflex if start_reflex is None else start_reflex
        for pool, glob, w in start:
            if (pool, glob) not in rows:
                ap.error(f"--start-file {args.start_file}: row {pool} {glob} is neither the map's nor an --extra row")
            weights[rows.index((pool, glob))] = w
    best, m = evaluate(args, rows, names, weights, reflex)
    print(f"start: cost {best:.1f}: {describe(m)}", flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for p in range(args.passes):
            for i in range(len(rows) + 1):  # the last coordinate is the reflex gain
                if args.search_pools and (i == len(rows) or rows[i][0] not in args.search_pools):
                    continue
                if i < len(rows):
                    trials = [(weights[:i] + [v] + weights[i + 1:], reflex) for v in VALUES if v != weights[i]]
                else:
                    trials = [(weights, g) for g in REFLEX if g != reflex]
                results = list(pool.map(lambda t: evaluate(args, rows, names, t[0], t[1]), trials))
                k = min(range(len(trials)), key=lambda j: results[j][0])
                what = f"{rows[i][0]} {rows[i][1]}" if i < len(rows) else "reflex"
                print(f"pass {p + 1}: tried {what}: best {results[k][0]:.1f} against {best:.1f}", flush=True)
                if results[k][0] < best:
                    best, (weights, reflex), m = results[k][0], trials[k], results[k][1]
                    what = f"{rows[i][0]} {rows[i][1]} = {weights[i]:g}" if i < len(rows) else f"reflex = {reflex:g}"
                    print(f"pass {p + 1}: kept {what}: cost {best:.1f}: {describe(m)}", flush=True)
    with open(args.out, "w") as f:
        f.write(f"# run/tune/gait_weights.py: cost {best:.2f}: {describe(m)}\n# stretch_reflex.gain {reflex:g}\n")
        for (pool, glob), w in zip(rows, weights):
            f.write(f"{pool}\t{glob}\t{w:g}\n")
    print(f"best: cost {best:.1f}, reflex {reflex:g}: {describe(m)}")


if __name__ == "__main__":
    main()
