#!/usr/bin/env bash
# End-to-end timings of the release binary on generated policies (issue: performance).
#
#   scripts/bench.sh [SIZES...]      default: 10000 100000 1000000
#
# For each size: generates the policy set (examples/gen), checks it compiles without errors,
# then runs `rolec check` and `rolec build -o` RUNS times (default 5) under /usr/bin/time and
# prints the minimum and median wall time and the peak memory. When a `cedar` binary is on
# PATH (cargo install cedar-policy-cli), the 10,000-role set is also encoded for Cedar and
# `cedar check-parse` / `cedar validate` are timed the same way, with the ratios.
# Timings are never asserted: this script reports, it does not pass or fail on speed.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
data=target/bench-data
mkdir -p "$data"
cargo build --release --quiet --bin rolec --example gen
rolec=target/release/rolec
gen=target/release/examples/gen

# wall COMMAND...: runs it once and prints its wall time in seconds (millisecond resolution;
# time's %e has 10 ms).
wall() {
    local start end
    start=$(date +%s%N)
    "$@" > /dev/null 2>&1 || true
    end=$(date +%s%N)
    awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }'
}

# time_runs LABEL COMMAND...: prints "LABEL min median peak_MB" over $runs runs.
time_runs() {
    local label=$1; shift
    local walls=() peak=0 kb
    for _ in $(seq "$runs"); do
        # Peak memory from /usr/bin/time; the wall time around it.
        walls+=("$(wall /usr/bin/time -f '%M' -o "$data/time.txt" "$@")")
        read -r kb < "$data/time.txt"
        [ "$kb" -gt "$peak" ] && peak=$kb
    done
    sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
    min=$(echo "$sorted" | head -n1)
    median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
    max=$(echo "$sorted" | tail -n1)
    printf '%-28s min %6.3f s  median %6.3f s  max %6.3f s  peak %5d MB\n' \
        "$label" "$min" "$median" "$max" "$((peak / 1024))"
    echo "$label $min $median" >> "$data/results.txt"
}

: > "$data/results.txt"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for size in "${sizes[@]}"; do
    dir="$data/roles-$size"
    if [ ! -d "$dir" ]; then
        "$gen" --roles "$size" --out "$dir"
    fi
    if ! "$rolec" check --format json "$dir" > "$data/check.json"; then
        echo "the generated set of $size roles does not compile:" >&2
        head -c 2000 "$data/check.json" >&2
        exit 1
    fi
    echo "== $size roles ($(du -sh "$dir" | cut -f1))"
    time_runs "rolec check ($size)" "$rolec" check "$dir"
    time_runs "rolec build ($size)" "$rolec" build "$dir" -o "$data/artifact-$size.json"
done

# Linearity: time per role at the largest size against the smallest.
first=${sizes[0]}; last=${sizes[${#sizes[@]}-1]}
awk -v first="$first" -v last="$last" '
    $2 == "check" && $3 == "(" first ")" { f = $5 }
    $2 == "check" && $3 == "(" last ")" { l = $5 }
    END { if (f > 0 && l > 0) printf "check: time per role at %d roles is %.2fx that at %d roles\n", last, (l / last) / (f / first), first }
' FS='[ ]' "$data/results.txt" 2>/dev/null || true

if command -v cedar > /dev/null 2>&1 && [ -f "$data/artifact-10000.json" ]; then
    "$gen" --cedar "$data/artifact-10000.json" --out "$data/cedar-10000"
    echo "== Cedar on the same 10000 roles"
    time_runs "cedar check-parse (10000)" cedar check-parse --policies "$data/cedar-10000/policies.cedar"
    time_runs "cedar validate (10000)" cedar validate --schema "$data/cedar-10000/schema.cedarschema" \
        --policies "$data/cedar-10000/policies.cedar"
    awk '
        /^rolec check \(10000\)/ { r = $5 }
        /^cedar check-parse/ { c = $5 }
        /^cedar validate/ { v = $5 }
        END { if (r > 0) printf "median ratios: cedar check-parse / rolec check = %.1fx, cedar validate / rolec check = %.1fx\n", c / r, v / r }
    ' "$data/results.txt"
    # The runs above are minutes apart, and this machine's load drifts: the ratio is also
    # measured on pairs run back to back, so both sides of a pair see the same load. Each
    # side is timed on its second run in a row: a command run just after the other one
    # pays for the other's memory (Cedar frees 600 MB, which the kernel must zero again).
    echo "== rolec check and cedar check-parse alternating, $runs pairs (10000 roles)"
    : > "$data/pairs.txt"
    for _ in $(seq "$runs"); do
        wall "$rolec" check "$data/roles-10000" > /dev/null
        r=$(wall "$rolec" check "$data/roles-10000")
        wall cedar check-parse --policies "$data/cedar-10000/policies.cedar" > /dev/null
        c=$(wall cedar check-parse --policies "$data/cedar-10000/policies.cedar")
        echo "$r $c" >> "$data/pairs.txt"
    done
    middle=$(( (runs + 1) / 2 ))
    r=$(cut -d' ' -f1 "$data/pairs.txt" | sort -n | sed -n "${middle}p")
    c=$(cut -d' ' -f2 "$data/pairs.txt" | sort -n | sed -n "${middle}p")
    ratios=$(awk '$1 > 0 { printf "%.1f\n", $2 / $1 }' "$data/pairs.txt" | sort -n)
    printf 'rolec check median %s s, cedar check-parse median %s s; ratio per pair: min %sx, median %sx, max %sx\n' \
        "$r" "$c" "$(echo "$ratios" | head -n1)" "$(echo "$ratios" | sed -n "${middle}p")" \
        "$(echo "$ratios" | tail -n1)"
else
    echo "(no cedar binary on PATH: install with 'cargo install cedar-policy-cli' for the comparison)"
fi
