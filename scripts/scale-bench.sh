#!/usr/bin/env bash
# The scale benchmark (canisters/orchestrator/benches/scale.rs): stable memory holding 1k
# principals / 10k journal entries ("small") and 100k principals / 1M journal entries ("large");
# every update call, query and post_upgrade measured once on each, its instructions counted by
# callgrind (the measured function alone), and compared with the Internet Computer's limits.
# Prints a Markdown table (the README's). Needs valgrind. Takes a few minutes, most of it
# writing the large history.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }

target_dir="${CARGO_TARGET_DIR:-target}"
bin=$(cargo bench --locked -p ic-akash-orchestrator --bench scale --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\))$/\1/p' | tail -1)
[ -x "$bin" ] || { echo "could not build the scale benchmark" >&2; exit 1; }
dir="$target_dir/scale"
mkdir -p "$dir"
for size in small large; do
  [ -f "$dir/scale-$size.img" ] && [ "$dir/scale-$size.img" -nt "$bin" ] || "$bin" populate "$dir" "$size"
done

# The IC's instruction limits per message kind (https://internetcomputer.org/docs/building-apps/canister-management/resource-limits).
limit_of() {
  case "$1" in
    post_upgrade) echo 300000000000 ;;
    get_*|http_*) echo 5000000000 ;;
    *) echo 40000000000 ;;
  esac
}

count() { # size op -> instructions of the measured function
  valgrind --tool=callgrind --toggle-collect="*measure_$2*" --callgrind-out-file=/dev/null "$bin" measure "$dir" "$1" "$2" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

echo "| operation | instructions, 1k principals / 10k entries | instructions, 100k principals / 1M entries | large / small | IC limit | share of the limit (large) |"
echo "|---|---:|---:|---:|---:|---:|"
for op in $("$bin" ops); do
  small=$(count small "$op")
  large=$(count large "$op")
  limit=$(limit_of "$op")
  python3 -c "
s, l, lim = $small, $large, $limit
print(f'| \`$op\` | {s:,} | {l:,} | {l / s:.2f} | {lim / 1e9:,.0f}B | {100 * l / lim:.4f}% |')"
done
