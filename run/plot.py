#!/usr/bin/env python3
"""Draws one brainbody run (run/plot OUTDIR [--out FILE.png]).

Panels: the output cells' spikes by pool, and every cortex population's if
cortex_spikes.h5 is there; M1 forelimb pool rates against the mean
excitation of the forelimb muscles they drive (left M1 -> right body);
joint angles; the mean Merkel rate of every taxel of each paw; paw contact
over time (a gait diagram). Reads run.yaml, spikes.h5, cortex_spikes.h5 and
body.h5 (docs/recording.md). With a task (trials.tsv), also OUTDIR/trials.png:
the task signal (paw-target distance or lever angle) over the run with the
cue windows and outcomes, the same aligned to each cue, and the cued M1
pool's rate aligned to the cues."""
import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import yaml  # noqa: E402


def names(ds):
    return [n.decode() if isinstance(n, bytes) else n for n in ds[:]]


def load(outdir):
    with open(os.path.join(outdir, "run.yaml")) as f:
        run = yaml.safe_load(f)
    exchange_s = run["config"]["time"]["exchange_ms"] * 1e-3
    spikes = {}
    with h5py.File(os.path.join(outdir, "spikes.h5")) as f:
        spikes["t"] = f["/spikes/output_cells/timestamps"][:] * 1e-3
        spikes["id"] = f["/spikes/output_cells/node_ids"][:]
    cortex = None
    path = os.path.join(outdir, "cortex_spikes.h5")
    if os.path.exists(path):
        cortex = {}
        with h5py.File(path) as f:
            for pop in f["/spikes"]:
                cortex[pop] = f[f"/spikes/{pop}/timestamps"][:] * 1e-3
    body = None
    path = os.path.join(outdir, "body.h5")
    if os.path.exists(path):
        with h5py.File(path) as f:
            body = {
                "t": f["/time"][:],
                "muscles": names(f["/muscles/names"]),
                "regions": names(f["/muscles/regions"]),
                "excitation": f["/muscles/excitation"][:],
                "joints": names(f["/joints/names"]),
                "angle": f["/joints/angle"][:],
                "grids": names(f["/touch/grids"]),
                "merkel": f["/touch/merkel"][:],
                "contact": f["/touch/paw_contact"][:],
                "paw": f["/touch/paw_position"][:],
                "lever": f["/task/lever_angle"][:],
            }
    return run, exchange_s, spikes, cortex, body


def raster_output(ax, run, spikes):
    pools = run.get("pools") or {"all": [0, int(run["plan"]["output_cells"])]}
    cmap = plt.get_cmap("tab10")
    for k, (name, (first, count)) in enumerate(pools.items()):
        sel = (spikes["id"] >= first) & (spikes["id"] < first + count)
        ax.plot(spikes["t"][sel], spikes["id"][sel], "|", ms=2, color=cmap(k % 10), label=name)
    ax.set_ylabel("output cell")
    ax.set_title("output cells (L5B) by pool")
    ax.legend(fontsize=5, ncol=2, loc="upper right", markerscale=4)


def raster_cortex(ax, cortex, duration):
    pops = sorted(cortex)
    for k, pop in enumerate(pops):
        t = cortex[pop]
        if len(t) > 4000:  # keep the figure light: an even sample of the spikes
            t = t[:: len(t) // 4000 + 1]
        ax.plot(t, k + np.random.default_rng(k).uniform(0, 0.8, len(t)), ",", color="k")
    ax.set_yticks(np.arange(len(pops)) + 0.4)
    ax.set_yticklabels(pops, fontsize=3)
    ax.set_xlim(0, duration)
    ax.set_title("every cortex population (one band each)")


def pools_vs_muscles(ax, run, spikes, body, exchange_s, duration):
    pools = run.get("pools") or {}
    bins = np.arange(0, duration + 1e-9, max(exchange_s, 0.025))
    for name, side in (("M1L_forelimb", "R"), ("M1R_forelimb", "L")):
        if name not in pools:
            continue
        first, count = pools[name]
        sel = (spikes["id"] >= first) & (spikes["id"] < first + count)
        rate = np.histogram(spikes["t"][sel], bins)[0] / (count * np.diff(bins))
        ax.plot(bins[:-1], rate, label=f"{name} rate (Hz/cell)")
        if body is not None:
            cols = [i for i, (m, r) in enumerate(zip(body["muscles"], body["regions"]))
                    if r == "forelimb" and m.startswith(side + "_")]
            if cols:
                ax2 = ax.twinx() if not hasattr(ax, "_twin") else ax._twin
                ax._twin = ax2
                ax2.plot(body["t"], body["excitation"][:, cols].mean(axis=1), "--",
                         label=f"{side} forelimb excitation")
                ax2.set_ylabel("mean excitation")
                ax2.legend(fontsize=5, loc="upper left")
    ax.set_ylabel("pool rate (Hz per cell)")
    ax.legend(fontsize=5, loc="upper right")
    ax.set_title("M1 forelimb pools and the muscles they drive")


def joints(ax, body):
    wanted = ["R_elbow", "L_elbow", "R_shoulder_flex", "R_wrist_flex", "R_knee", "R_ankle_flex"]
    for j in wanted:
        if j in body["joints"]:
            ax.plot(body["t"], np.degrees(body["angle"][:, body["joints"].index(j)]), label=j)
    ax.set_ylabel("angle (deg)")
    ax.legend(fontsize=5, ncol=2)
    ax.set_title("joint angles")


def touch(fig, spec, body, run):
    nx = run["config"]["body"]["taxels_x"]
    ny = run["config"]["body"]["taxels_y"]
    grids = body["grids"]
    mean = body["merkel"].mean(axis=0)
    sub = spec.subgridspec(1, max(len(grids), 1))
    for g, name in enumerate(grids):
        ax = fig.add_subplot(sub[0, g])
        im = ax.imshow(mean[g * nx * ny:(g + 1) * nx * ny].reshape(ny, nx), cmap="magma", origin="lower")
        ax.set_title(name.replace("_touch", ""), fontsize=6)
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(im, ax=ax, fraction=0.046).ax.tick_params(labelsize=4)


def gait(ax, body):
    for g, name in enumerate(body["grids"]):
        on = body["contact"][:, g].astype(bool)
        ax.fill_between(body["t"], g, g + 0.8 * on, step="post", color="k")
    ax.set_yticks(np.arange(len(body["grids"])) + 0.4)
    ax.set_yticklabels([n.replace("_touch", "") for n in body["grids"]], fontsize=6)
    ax.set_xlabel("time (s)")
    ax.set_title("paw contact")


def read_trials(outdir):
    rows = []
    with open(os.path.join(outdir, "trials.tsv")) as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            rows.append(dict(zip(head, line.rstrip("\n").split("\t"))))
    return rows


def task_signal(run, body):
    """The task's signal over time: paw-target distance (mm) or lever angle (deg)."""
    task = run["config"]["task"]
    if task["kind"] == "reach":
        g = body["grids"].index(task["paw"])
        b = run["config"]["body"]  # run.yaml writes the third level flat: "reach_target.x_mm"
        target = np.array([b[f"reach_target.{k}_mm"] for k in "xyz"]) * 1e-3
        d = np.linalg.norm(body["paw"][:, 3 * g:3 * g + 3] - target, axis=1) * 1e3
        return d, "paw to target (mm)", b["reach_target.radius_mm"]
    return np.degrees(body["lever"]), "lever angle (deg)", run["config"]["body"]["lever.threshold_deg"]


def trials_figure(outdir, run, spikes, body, exchange_s):
    trials = read_trials(outdir)
    signal, label, level = task_signal(run, body)
    task = run["config"]["task"]
    fig = plt.figure(figsize=(10, 8), dpi=120)
    gs = fig.add_gridspec(3, 2, height_ratios=[1, 1.2, 1], hspace=0.5)
    ax = fig.add_subplot(gs[0, :])
    ax.plot(body["t"], signal, "k", lw=0.8)
    ax.axhline(level, color="g", ls=":", lw=0.8)
    for r in trials:
        hit = r["outcome"] == "hit"
        ax.axvspan(float(r["cue_s"]), float(r["outcome_s"]), color="tab:blue" if hit else "tab:red", alpha=0.2, lw=0)
    ax.set_ylabel(label)
    ax.set_xlabel("time (s)")
    hits = sum(r["outcome"] == "hit" for r in trials)
    ax.set_title(f"{task['kind']}: {hits} of {len(trials)} trials hit (blue: cue to hit, red: missed window)")
    ax = fig.add_subplot(gs[1, 0])
    window = task["window_s"]
    for r in trials:
        t0 = float(r["cue_s"])
        sel = (body["t"] >= t0 - 0.2) & (body["t"] <= t0 + window + 0.3)
        ax.plot((body["t"][sel] - t0) * 1e3, signal[sel], color="tab:blue" if r["outcome"] == "hit" else "tab:red",
                lw=0.8)
    ax.axhline(level, color="g", ls=":", lw=0.8)
    ax.axvline(0, color="k", lw=0.5)
    ax.set_xlabel("time from cue (ms)")
    ax.set_ylabel(label)
    ax.set_title("each trial, aligned to its cue")
    ax = fig.add_subplot(gs[1, 1])
    reach = [float(r["reach_ms"]) for r in trials if r["reach_ms"] != "nan"]
    resp = [float(r["response_ms"]) for r in trials if r["response_ms"] != "nan"]
    if resp:
        ax.hist([resp, reach] if reach else [resp], bins=10, label=["cue to hit", "onset to hit"][:2 if reach else 1])
    ax.axvline(300, color="k", ls="--", lw=0.8, label="published reach, ~300 ms")
    ax.set_xlabel("ms")
    ax.set_ylabel("trials")
    ax.legend(fontsize=6)
    ax.set_title("response and reach durations (hits)")
    ax = fig.add_subplot(gs[2, :])
    pool = ("M1L_" if task["cue.hemisphere"] == "left" else "M1R_") + task["cue.body_area"]
    first, count = run["pools"][pool]
    sel = (spikes["id"] >= first) & (spikes["id"] < first + count)
    edges = np.arange(-0.2, window + 0.3 + 1e-9, 0.01)
    rate = np.zeros(len(edges) - 1)
    for r in trials:
        rate += np.histogram(spikes["t"][sel] - float(r["cue_s"]), edges)[0]
    ax.plot(edges[:-1] * 1e3, rate / max(len(trials), 1) / count / 0.01)
    ax.axvline(0, color="k", lw=0.5)
    ax.set_xlabel("time from cue (ms)")
    ax.set_ylabel("Hz per cell")
    ax.set_title(f"{pool} (L5B) rate, mean over trials")
    fig.suptitle(f"{run['config']['experiment']['name']}: {outdir}", fontsize=9)
    out = os.path.join(outdir, "trials.png")
    fig.savefig(out)
    print(f"run/plot: {out}")


def debounce(on, min_samples):
    """body/gait.c's bb_footfalls_debounce: a run shorter than min_samples
    between runs of the other state becomes that state."""
    on = on.copy()
    k, state = 1, on[0]
    while k < len(on):
        if on[k] == state:
            k += 1
            continue
        end = k
        while end < len(on) and on[end] == on[k]:
            end += 1
        if end - k < min_samples and end < len(on):
            on[k:end] = state
        else:
            state = on[k]
        k = end
    return on


FOOTFALL_MIN_PHASE_S = 0.02  # body.h's BB_FOOTFALL_MIN_PHASE_S


def stance(raw, dt):
    """A paw's contact flags sampled every dt seconds, debounced as the
    gait: block of run.yaml is (coupler/gait_log.c): stance and swing phases
    shorter than FOOTFALL_MIN_PHASE_S taken into their neighbours."""
    return debounce(raw, max(1, int(np.ceil(FOOTFALL_MIN_PHASE_S / dt - 1e-9))))


def gait_figure(outdir, run, body, exchange_s):
    """Footfall diagram of the last 1.5 s: raw contact flags (grey) and the
    debounced stance phases (black) the gait: block of run.yaml measures."""
    g = run["gait"]
    t = body["t"]
    keep = t >= t[-1] - 1.5
    fig, ax = plt.subplots(figsize=(8, 3), dpi=120)
    for i, name in enumerate(body["grids"]):
        raw = body["contact"][:, i].astype(bool)
        ax.fill_between(t[keep], i + 0.45, i + 0.45 + 0.35 * raw[keep], step="post", color="0.6")
        ax.fill_between(t[keep], i, i + 0.4 * stance(raw, exchange_s)[keep], step="post", color="k")
    ax.set_yticks(np.arange(len(body["grids"])) + 0.4)
    ax.set_yticklabels([n.replace("_touch", "") for n in body["grids"]], fontsize=7)
    ax.set_xlabel("time (s)")
    if g.get("strides", 0):
        phase = ", ".join(f"{k} {v:.2f}" for k, v in g["phase"].items())
        title = (f"{g['strides']} strides at {g['stride_hz']:.2f} Hz, {g['speed_m_per_s']:.2f} m/s; "
                 f"touch-down phase in the L_pes cycle: {phase}")
    else:
        title = "no gait: fewer than 3 touch-downs of the left hind paw"
    ax.set_title(title, fontsize=8)
    fig.tight_layout()
    out = os.path.join(outdir, "gait.png")
    fig.savefig(out)
    print(f"run/plot: {out}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("outdir")
    p.add_argument("--out", help="PNG to write (default OUTDIR/summary.png)")
    a = p.parse_args()
    try:
        run, exchange_s, spikes, cortex, body = load(a.outdir)
    except (OSError, KeyError) as e:
        sys.exit(f"run/plot: {a.outdir}: not a complete brainbody output folder: {e}")
    duration = run["config"]["experiment"]["duration_s"]
    fig = plt.figure(figsize=(10, 12), dpi=120)
    gs = fig.add_gridspec(6, 1, height_ratios=[1.2, 1.6, 1, 1, 0.8, 0.6], hspace=0.6)
    raster_output(fig.add_subplot(gs[0]), run, spikes)
    if cortex:
        raster_cortex(fig.add_subplot(gs[1]), cortex, duration)
    pools_vs_muscles(fig.add_subplot(gs[2]), run, spikes, body, exchange_s, duration)
    if body is not None:
        joints(fig.add_subplot(gs[3]), body)
        touch(fig, gs[4], body, run)
        gait(fig.add_subplot(gs[5]), body)
    fig.suptitle(f"{run['config']['experiment']['name']}: {a.outdir}", fontsize=9)
    out = a.out or os.path.join(a.outdir, "summary.png")
    fig.savefig(out)
    print(f"run/plot: {out}")
    if body is not None and os.path.exists(os.path.join(a.outdir, "trials.tsv")):
        trials_figure(a.outdir, run, spikes, body, exchange_s)
    if body is not None and "gait" in run:
        gait_figure(a.outdir, run, body, exchange_s)


if __name__ == "__main__":
    main()
