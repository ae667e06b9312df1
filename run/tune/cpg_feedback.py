#!/usr/bin/env python3
"""The search that set brain.cpg.feedback_load_nS and feedback_hip_nS for
run/locomotion.yaml (docs/experiments.md): run/cpg_gait.yaml on the
treadmill at a slow and a fast belt, for each pair of gains, and measure
whether the spinal rhythm follows the belt.

For each run: the rhythm's frequency from the left-hind flexor pool's
spikes (CPG_LH_flexor, spikes.h5: onsets of its rate in 5 ms bins smoothed
over 40 ms, rising through 65 % of its range after falling below 35 %), and from the run.yaml gait: block the stride
frequency, hind duty factors and the right-hind phase. The score of a gain
pair: how much faster the rhythm runs on the fast belt than on the slow one
(Hz), provided the hind limbs still alternate (right-hind phase 0.5 +- 0.15
on both belts). Gains 0 are the deafferented circuit.

Usage: run/tune/cpg_feedback.py OUTROOT [--ranks 3] [--seconds 2]
Prints one line per run and the ranking; the runs stay in OUTROOT (a run
already complete there is read, not run again)."""
import argparse
import itertools
import os
import subprocess

import h5py
import numpy as np
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BRAINBODY = os.path.join(ROOT, "build", "coupler", "brainbody")
EXPERIMENT = os.path.join(ROOT, "run", "cpg_gait.yaml")
# The search ran on the earlier run/cpg_gait.yaml: 20-cell pools, the
# locomotion map, no postural tone (docs/experiments.md); pinned here so that
# it reproduces its result.
EARLIER = ["--set", "brain.cpg.cells_per_pool=20", "--set", "coupling.map=maps/locomotion_coupling.yaml",
           "--set", "brain.posture.tone=0"]
GAINS = [0.0, 0.15, 0.3, 0.6]  # nS, each of load and hip
BELTS = [0.1, 0.3]  # m/s


def flexor_onsets(outdir, record, pool="CPG_LH_flexor"):
    """Burst onsets (s) of a motor pool of the circuit, after the first 0.5 s."""
    first, count = record["pools"][pool]
    with h5py.File(os.path.join(outdir, "spikes.h5"), "r") as f:
        t = f["spikes/output_cells/timestamps"][()] * 1e-3
        ids = f["spikes/output_cells/node_ids"][()]
    t = t[(ids >= first) & (ids < first + count)]
    dur = record["config"]["experiment"]["duration_s"]
    edges = np.arange(0.5, dur + 1e-9, 0.005)  # the first 0.5 s: settling
    if len(edges) < 21:  # under 0.1 s left to look at: no bursts to find
        return np.array([])
    rate, _ = np.histogram(t, bins=edges)
    rate = np.convolve(rate, np.ones(8) / 8, mode="same")  # 40 ms boxcar: a burst, not Poisson noise
    if rate.max() == rate.min():
        return np.array([])
    lo, hi = rate.min() + 0.35 * np.ptp(rate), rate.min() + 0.65 * np.ptp(rate)
    on, armed = [], True  # onsets: rising through hi after having been below lo
    for i, r in enumerate(rate):
        if armed and r >= hi:
            on.append(i)
            armed = False
        elif r <= lo:
            armed = True
    return 0.5 + 0.005 * np.array(on)


def burst_hz(on):
    """The rhythm (Hz) of burst onsets from flexor_onsets(); NaN for fewer than 3."""
    return float("nan") if len(on) < 3 else (len(on) - 1) / (on[-1] - on[0])


def rhythm_hz(outdir, record):
    return burst_hz(flexor_onsets(outdir, record))


def run(outroot, ranks, seconds, load, hip, belt):
    out = os.path.join(outroot, f"load{load}_hip{hip}_belt{belt}")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_btl_vader_single_copy_mechanism="none")
    cmd = ["mpirun", "-np", str(ranks), BRAINBODY, "run", EXPERIMENT, "--out", out, "--force",
           "--set", f"experiment.duration_s={seconds}", "--set", f"body.treadmill.speed_m_per_s={belt}",
           "--set", f"brain.cpg.feedback_load_nS={load}", "--set", f"brain.cpg.feedback_hip_nS={hip}"] + EARLIER
    record_path = os.path.join(out, "run.yaml")
    record = None
    if os.path.exists(record_path):  # done by an earlier invocation: kept
        with open(record_path) as f:
            record = yaml.safe_load(f)
    if not record or record.get("status") != "complete":
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(record_path) as f:
            record = yaml.safe_load(f)
    g, nan = record["gait"], float("nan")
    return {"rhythm_hz": rhythm_hz(out, record), "stride_hz": g.get("stride_hz", nan),
            "rh_phase": g.get("phase", {}).get("R_pes", nan), "duty_lh": g.get("duty", {}).get("L_pes", nan),
            "duty_rh": g.get("duty", {}).get("R_pes", nan)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outroot")
    ap.add_argument("--ranks", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=2.0)
    a = ap.parse_args()
    scores = []
    for load, hip in itertools.product(GAINS, GAINS):
        m = [run(a.outroot, a.ranks, a.seconds, load, hip, v) for v in BELTS]
        for v, r in zip(BELTS, m):
            print(f"load {load:.2f} hip {hip:.2f} belt {v:.1f}: rhythm {r['rhythm_hz']:.2f} Hz, strides "
                  f"{r['stride_hz']:.2f} Hz, duty LH {r['duty_lh']:.2f} RH {r['duty_rh']:.2f}, "
                  f"RH phase {r['rh_phase']:.2f}", flush=True)
        alternating = all(abs(float(r["rh_phase"]) - 0.5) < 0.15 for r in m)  # nan: False
        gain = m[1]["rhythm_hz"] - m[0]["rhythm_hz"]
        scores.append((gain if alternating and np.isfinite(gain) else -np.inf, load, hip, gain, alternating))
    print("\nranking (rhythm on the fast belt minus the slow one, hind limbs alternating):")
    for s, load, hip, gain, alt in sorted(scores, reverse=True):
        print(f"  load {load:.2f} nS, hip {hip:.2f} nS: {gain:+.2f} Hz{'' if alt else ' (hind limbs not alternating)'}")


if __name__ == "__main__":
    main()
