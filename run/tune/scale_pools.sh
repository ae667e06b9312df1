#!/usr/bin/env bash
# A coupling map with whole motor pools' rows of a weights file scaled:
# every row of each named pool (H_flexor, H_extensor, F_flexor, F_extensor)
# times its factor, capped at 1, the map made by gait_map.py (200 cells per
# pool, as run/cpg_gait.yaml). The variants of docs/experiments.md's
# "Free on the floor" (e.g. the extensor pools at half) are made with it.
# Usage: run/tune/scale_pools.sh OUT.yaml POOL=FACTOR [POOL=FACTOR ...]
# SCALE_POOLS_BASE=FILE scales that weights file (default
# run/tune/fore_trot_weights.tsv, run/cpg_gait.yaml's map). Writes OUT.tsv beside OUT.yaml.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
usage='usage: run/tune/scale_pools.sh OUT.yaml POOL=FACTOR [POOL=FACTOR ...]'
out="${1:?$usage}"
shift
[ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3   # h5py is Debian's python3-h5py
base="${SCALE_POOLS_BASE:-$here/fore_trot_weights.tsv}"
[ -r "$base" ] || { echo "scale_pools.sh: cannot read the weights file '$base'" >&2; exit 2; }
tsv="${out%.yaml}.tsv"
cp "$base" "$tsv"
for pf in "$@"; do
    pool="${pf%%=*}" factor="${pf#*=}"
    [[ "$pf" == *=* && "$factor" =~ ^[0-9]*\.?[0-9]+$ ]] || { echo "scale_pools.sh: '$pf' is not POOL=FACTOR" >&2; exit 2; }
    n=$(awk -F'\t' -v p="$pool" '$1 == p' "$tsv" | wc -l)
    [ "$n" -gt 0 ] || { echo "scale_pools.sh: $base has no rows of pool '$pool'" >&2; exit 2; }
    awk -F'\t' -v OFS='\t' -v p="$pool" -v f="$factor" \
        '$1 == p {w = $3 * f; $3 = w > 1 ? 1 : w} {print}' "$tsv" > "$tsv.new"
    mv "$tsv.new" "$tsv"
done
echo "# scale_pools.sh: $* (from $base)" >> "$tsv"
"$py" "$here/gait_map.py" "$tsv" "$out" --cells-per-pool 200
