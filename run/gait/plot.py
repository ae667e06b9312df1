#!/usr/bin/env python3
"""Draws run/gait/sweep's TSV: the spinal circuit's interlimb phases and
frequency against its brainstem drive alpha, for the intact circuit and the
two ablations (Danner et al. 2017, eLife 6:e31050, Figs. 2, 6 and 7), with
the gaits named; the mouse's gait table (Bellardita & Kiehn 2015, Fig. 1)
marks the walk and trot frequency ranges.

Usage: run/gait/plot.py SWEEP.tsv OUT.png"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
circuits = ["intact", "no_v0v", "no_v0v_v0d"]
titles = {"intact": "intact", "no_v0v": "without V0V", "no_v0v_v0d": "without V0V and V0D"}
phases = [("left_right_hind", "left-right (hind)", "C0"), ("homolateral", "homolateral (LF)", "C1"),
          ("diagonal", "diagonal (RF)", "C2")]
colour = {"walk": "#d0e8ff", "trot": "#d8f5d0", "gallop": "#fde6c8", "bound": "#f6d0d0"}
fig, axes = plt.subplots(2, 3, figsize=(13, 6.5), sharex=True)
for j, name in enumerate(circuits):
    r = [x for x in rows if x["circuit"] == name]
    a = [float(x["alpha"]) for x in r]
    for x, alpha in zip(r, a):
        for ax in axes[:, j]:
            ax.axvspan(alpha - 0.0125, alpha + 0.0125, color=colour.get(x["gait"], "white"), lw=0)
    for key, label, c in phases:
        axes[0, j].plot(a, [float(x[key]) for x in r], "o", ms=3, color=c, label=label)
    axes[0, j].set_ylim(-0.02, 1.02)
    axes[0, j].set_title(titles[name])
    axes[1, j].plot(a, [float(x["frequency_hz"]) for x in r], "k.-", ms=4)
    axes[1, j].axhspan(2.0, 3.4, color="C0", alpha=0.15)
    axes[1, j].axhspan(4.9, 6.9, color="C2", alpha=0.15)
    axes[1, j].set_xlabel("brainstem drive alpha")
    axes[1, j].set_ylim(0, 12)
axes[0, 0].set_ylabel("phase in the left-hind cycle")
axes[1, 0].set_ylabel("frequency (Hz)")
axes[0, 0].legend(loc="upper left", fontsize=8)
axes[1, 0].text(0.03, 2.1, "mouse walk 2.7 +- 0.7 Hz", fontsize=7, color="C0")
axes[1, 0].text(0.03, 5.0, "mouse trot 5.9 +- 1.0 Hz", fontsize=7, color="C2")
handles = [plt.Rectangle((0, 0), 1, 1, color=colour[g]) for g in colour]
fig.legend(handles, list(colour), loc="upper right", ncol=4, fontsize=8)
fig.suptitle("spinal circuit alone (run/gait/sweep): gait against drive")
fig.tight_layout(rect=(0, 0, 1, 0.95))
fig.savefig(sys.argv[2], dpi=100)
