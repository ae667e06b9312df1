#!/usr/bin/env bash
# A variant of the whole-body mouse with its hind paws under the hips, as
# the model stood until 2026-12-07, for the standing probes of
# run/tune/README.md ("Standing and stepping in the body alone"). The
# committed model turns the femur 20 deg outwards (knee 6.5 mm lateral of
# the hip: hind paws 22 mm apart, models/mouse_853muscle/tables/bones.tsv);
# here the hindlimb bones lie in the hip's parasagittal plane again, so the
# hind paws stand 9 mm apart, narrower than the 13 mm pelvis. The knee's
# wrapping cylinder moves with the knee. Nothing else changes.
# Usage: run/tune/narrow_stance.sh OUTDIR   (writes OUTDIR/mouse.xml, refusing to
# replace one; needs the build's mouse_gen)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: run/tune/narrow_stance.sh OUTDIR}"
[ -e "$out/mouse.xml" ] && { echo "narrow_stance.sh: $out/mouse.xml exists: not overwritten" >&2; exit 2; }
mkdir -p "$out"
t="$(mktemp -d)"
trap 'rm -rf "$t"' EXIT
cp -r "$root/models/mouse_853muscle/tables/." "$t"
grep -q "^femur    pelvis   B   -6 4.5 -5    16.0 6.5 -7.4 " "$t/bones.tsv" || { echo "narrow_stance.sh: bones.tsv's femur row is not the one expected" >&2; exit 2; }
grep -q "^tibia    femur    B   16.0 6.5 -7.4 " "$t/bones.tsv" || { echo "narrow_stance.sh: bones.tsv's tibia row is not the one expected" >&2; exit 2; }
grep -q "^femur   knee_ant      1.0  16.0 6.5 -7.4 " "$t/wraps.tsv" || { echo "narrow_stance.sh: wraps.tsv's knee row is not the one expected" >&2; exit 2; }
sed -i 's/^femur    pelvis   B   -6 4.5 -5    16.0 6.5 -7.4 /femur    pelvis   B   -6 4.5 -5    17.2 0 -8.0 /;
        s/^tibia    femur    B   16.0 6.5 -7.4 /tibia    femur    B   17.2 0 -8.0 /' "$t/bones.tsv"
sed -i 's/^femur   knee_ant      1.0  16.0 6.5 -7.4   0 1 0   17.0 6.5 -5.9 /femur   knee_ant      1.0  17.2 0 -8.0   0 1 0   18.2 0 -6.5 /' "$t/wraps.tsv"
"$root/build/models/mouse_853muscle/generator/mouse_gen" "$t" "$out/mouse.xml"
