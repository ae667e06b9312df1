#!/usr/bin/env bash
# A sweep of some motor-pool rows of run/tune/cpg_gait_weights.tsv across
# seeds: for each weight W, those rows set to W (the others as the file has
# them), the map made by gait_map.py (200 cells per pool, as
# run/cpg_gait.yaml), and run/cpg_gait.yaml run over the seeds by
# gait_seeds.py with that map (run/tune/README.md, "The hip extensors' rows").
# Usage: run/tune/row_sweep.sh OUTDIR POOL "GLOB GLOB ..." "W W ..." [gait_seeds.py options]
# e.g.   run/tune/row_sweep.sh /tmp/hipext H_extensor \
#          "gluteus_superficialis gluteus_medius_* biceps_femoris_anterior semimembranosus adductor_magnus_*" \
#          "0 0.05 0.1 0.3" --seeds 101-110
# ROW_SWEEP_BASE=FILE starts from that weights file instead (e.g. an
# earlier sweep's OUTDIR/W.tsv), so that several groups can be changed.
# Writes OUTDIR/W.tsv, OUTDIR/W.yaml (the map), OUTDIR/W/SEED (the runs) and
# OUTDIR/W.log (gait_seeds.py's report; its last lines are the medians).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
usage='usage: run/tune/row_sweep.sh OUTDIR POOL "GLOB ..." "W ..." [gait_seeds.py options]'
out="${1:?$usage}" pool="${2:?$usage}" globs="${3:?$usage}" weights="${4:?$usage}"
shift 4
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3   # h5py is Debian's python3-h5py
base="${ROW_SWEEP_BASE:-$here/cpg_gait_weights.tsv}"
[ -r "$base" ] || { echo "row_sweep.sh: cannot read the weights file '$base'" >&2; exit 2; }
mkdir -p "$out"
for w in $weights; do
    tsv="$out/$w.tsv"
    [ "$(realpath "$base")" != "$(realpath -m "$tsv")" ] || { echo "row_sweep.sh: ROW_SWEEP_BASE is $tsv itself" >&2; exit 2; }
    cp "$base" "$tsv"
    for g in $globs; do
        # the row must be there, and exactly once
        n=$(awk -F'\t' -v p="$pool" -v g="$g" '$1 == p && $2 == g' "$tsv" | wc -l)
        [ "$n" = 1 ] || { echo "row_sweep.sh: $base has $n rows '$pool $g', not one" >&2; exit 2; }
        awk -F'\t' -v OFS='\t' -v p="$pool" -v g="$g" -v w="$w" '$1 == p && $2 == g {$3 = w} {print}' "$tsv" > "$tsv.new"
        mv "$tsv.new" "$tsv"
    done
    echo "# row_sweep.sh: $pool rows $globs at $w (from $base)" >> "$tsv"
    "$py" "$here/gait_map.py" "$tsv" "$out/$w.yaml" --cells-per-pool 200
    "$py" "$here/gait_seeds.py" "$out/$w" --set "coupling.map=$out/$w.yaml" "$@" | tee "$out/$w.log" | tail -2
done
