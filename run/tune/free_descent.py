#!/usr/bin/env python3
"""Coordinate descent over experiment keys for stepping free on the floor:
the search behind docs/experiments.md's "Free on the floor" (its descent).

Each evaluation runs free_floor.py's free-floor copy of the experiment on
every seed (two runs at a time) and scores it by the mean over the seeds of
  10 x the share of the run lost to a fall ((seconds - fall time) / seconds;
       0 for a seed that stays up)
  + 2 x how far the left hind paw's touch-downs before the fall, per second
       up, fall short of 2 Hz (a body that stands without stepping is not
       the goal: it scores 4; the walk's stride is 2.7 Hz, Bellardita &
       Kiehn 2015)
so a setting that stays up and steps at 2 Hz or faster scores 0. Each --axis KEY=V1,V2,...
in turn is set to each of its values and the best kept, for --passes
passes, starting from the first value of each axis. Fixed settings go in
--set (as in free_floor.py). Prints every evaluation and the best setting.

Usage: run/tune/free_descent.py OUTROOT --axis KEY=V1,V2 [--axis ...]
       [--passes 1] [--seeds 1,2,3] [--seconds 4] [--set KEY=VALUE]
       [--experiment F]
Runs are kept as free_floor.py keeps them (OUTROOT/<setting>/<seed>), so a
repeated evaluation is read, not run again."""
import argparse
import concurrent.futures
import hashlib
import os
import sys

import free_floor


def evaluate(args, experiment, setting, seeds):
    sets = [f"{k}={v}" for k, v in setting.items()]
    name = "d" + hashlib.sha1(" ".join(sets).encode()).hexdigest()[:10]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda s: free_floor.run(args, experiment, name, sets, s), seeds))
    cost, parts = 0.0, []
    for _, seed, m, why in results:
        if m is None:
            sys.exit(f"free_descent.py: seed {seed}: {why}")
        fall, downs = m.fall, m.touchdowns
        up = args.seconds if fall is None else fall
        cost += (10 * (args.seconds - up) / args.seconds + 2 * max(0.0, 2 - downs / up)) / len(seeds)
        parts.append(f"{'-' if fall is None else f'{fall:.2f}'}/{downs}")
    return cost, " ".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outroot")
    ap.add_argument("--axis", action="append", default=[], metavar="KEY=V1,V2")
    ap.add_argument("--passes", type=int, default=1)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--fall-deg", type=float, default=30.0)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--experiment", default=os.path.join(free_floor.ROOT, "run", "cpg_gait.yaml"))
    args = ap.parse_args()
    axes = {}
    for a in args.axis:
        key, eq, values = a.partition("=")
        if not eq or not values:
            sys.exit(f"free_descent.py: --axis '{a}': expected KEY=V1,V2,...")
        axes[key] = values.split("|" if "|" in values else ",")
    if not axes:
        sys.exit("free_descent.py: give at least one --axis")
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError:
        sys.exit(f"free_descent.py: --seeds: '{args.seeds}' is not a comma-separated list of integers")
    os.makedirs(args.outroot, exist_ok=True)
    experiment = free_floor.free_copy(args.experiment, args.outroot)
    best = {k: v[0] for k, v in axes.items()}
    best_cost, detail = evaluate(args, experiment, best, seeds)
    print(f"start\tcost {best_cost:.2f}\t(fall s / left-hind touch-downs before it, per seed: {detail})", flush=True)
    for p in range(args.passes):
        for key, values in axes.items():
            for v in values:
                if v == best[key]:
                    continue
                trial = dict(best, **{key: v})
                cost, detail = evaluate(args, experiment, trial, seeds)
                mark = " *" if cost < best_cost else ""
                print(f"pass {p + 1}\t{key}={v}\tcost {cost:.2f}\t({detail}){mark}", flush=True)
                if cost < best_cost:
                    best, best_cost = trial, cost
    print(f"best\tcost {best_cost:.2f}")
    for k, v in best.items():
        print(f"  --set {k}={v}")


if __name__ == "__main__":
    main()
