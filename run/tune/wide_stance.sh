#!/usr/bin/env bash
# A variant of the whole-body mouse with its hind paws set wider apart, for
# the standing probes of run/tune/README.md ("Standing in the body alone").
# The committed model's hindlimb bones lie in the parasagittal plane of the
# hip, so its hind paws stand under the hip joints, 9 mm apart (narrower
# than its 13 mm pelvis). Here the femur is turned 20 deg outwards (knee
# 6.5 mm lateral of the hip, bone length kept to 0.2 mm) and the tibia
# brings the paw 1.5 mm back in: hind paws 24 mm apart. The knee's wrapping
# cylinder moves with the knee. Nothing else changes.
# Usage: run/tune/wide_stance.sh OUTDIR   (writes OUTDIR/mouse.xml; needs the build's mouse_gen)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: run/tune/wide_stance.sh OUTDIR}"
mkdir -p "$out"
rm -rf "$out/tables"
cp -r "$root/models/mouse_853muscle/tables" "$out/tables"
t="$out/tables"
sed -i 's/^femur    pelvis   B   -6 4.5 -5    17.2 0 -8.0 /femur    pelvis   B   -6 4.5 -5    16.0 6.5 -7.4 /;
        s/^tibia    femur    B   17.2 0 -8.0  -11 0 -19.05/tibia    femur    B   16.0 6.5 -7.4  -11 -1.5 -19.0/' "$t/bones.tsv"
sed -i 's/^femur   knee_ant      1.0  17.2 0 -8.0   0 1 0   18.2 0 -6.5 /femur   knee_ant      1.0  16.0 6.5 -7.4   0 1 0   17.0 6.5 -5.9 /' "$t/wraps.tsv"
grep -q "^femur    pelvis   B   -6 4.5 -5    16.0 6.5 -7.4 " "$t/bones.tsv" || { echo "wide_stance.sh: bones.tsv's femur row is not the one expected" >&2; exit 2; }
grep -q "^tibia    femur    B   16.0 6.5 -7.4" "$t/bones.tsv" || { echo "wide_stance.sh: bones.tsv's tibia row is not the one expected" >&2; exit 2; }
grep -q "knee_ant      1.0  16.0 6.5 -7.4" "$t/wraps.tsv" || { echo "wide_stance.sh: wraps.tsv's knee row is not the one expected" >&2; exit 2; }
"$root/build/models/mouse_853muscle/generator/mouse_gen" "$t" "$out/mouse.xml"
