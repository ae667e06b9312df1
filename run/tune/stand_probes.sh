#!/usr/bin/env bash
# The standing and stepping probes of run/tune/README.md's table ("Standing
# and stepping in the body alone"), two at a time; about 2 minutes on 2 cores.
# Usage: run/tune/stand_probes.sh [WORKDIR]   (default /tmp/bb_stand_probes)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-/tmp/bb_stand_probes}"
mkdir -p "$work"
G="$root/build/run/tune/bb_gait_body" W="$root/models/mouse_853muscle/mouse.xml" T="$root/run/tune/antigravity_tone.tsv"
rm -f "$work/narrow/mouse.xml"   # this script's own, from an earlier run
"$root/run/tune/narrow_stance.sh" "$work/narrow" >/dev/null
N="$work/narrow/mouse.xml"
echo "# nothing" >"$work/none.tsv"
/usr/bin/python3 "$root/run/tune/gait_weights.py" "$work/map1.tsv" --dump 1
/usr/bin/python3 "$root/run/tune/gait_weights.py" "$work/map03.tsv" --dump 0.3
cat "$T" "$work/map03.tsv" >"$work/tone_map03.tsv"
run() { echo "$(basename "$(dirname "$1")") $(basename "$2") ${*:3} :: $("$G" "$@" | cut -d' ' -f1-8)"; }
run "$N" "$work/map1.tsv" --seconds 2 & run "$N" "$work/none.tsv" --free --seconds 3 & wait
run "$N" "$T" --free --seconds 3 & run "$N" "$T" --free --seconds 3 --roll-reflex 10 0.5 & wait
run "$W" "$T" --free --seconds 3 & run "$W" "$T" --free --seconds 3 --roll-reflex 10 0.5 & wait
run "$W" "$T" --free --seconds 10 --roll-reflex 10 0.5 & run "$W" "$T" --free --seconds 3 --roll-reflex -10 -0.5 & wait
run "$W" "$T" --seconds 3 --roll-reflex 10 0.5 & run "$W" "$work/tone_map03.tsv" --seconds 3 --roll-reflex 10 0.5 & wait
run "$W" "$work/tone_map03.tsv" --seconds 3 --roll-reflex 10 0.5 --free
