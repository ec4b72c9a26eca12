#!/usr/bin/env bash
# A short run of every fuzz target (CI's fuzz smoke step): builds the targets with cargo-fuzz
# on the nightly toolchain and runs each for SECONDS (default 20) on a fresh seed corpus.
# Skips, without failing, when there is no nightly toolchain or cargo-fuzz cannot be had.
# A crash fails the run; libFuzzer writes the input to fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-20}"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "skipped: no nightly toolchain (cargo +nightly --version failed)"
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz --locked"
    if ! cargo install cargo-fuzz --locked; then
        echo "skipped: cargo-fuzz could not be installed"
        exit 0
    fi
fi
cargo +nightly --version
cargo fuzz --version

# A fresh corpus of the seeds alone, so that the run is the same on every machine (a large
# local fuzz/corpus/ would take longer than the run just to load).
corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
./seed-corpus.sh "$corpus"
# A debug build (`--dev`): for a short run, build time matters more than speed. No
# sanitizer: rolec forbids `unsafe`, and without ASan each execution is several times faster.
flags=(--dev --sanitizer none)
cargo +nightly fuzz build "${flags[@]}"
for target in parse fmt compile catalog structured artifact lsp; do
    dict=dict/roles.dict
    [ "$target" = catalog ] && dict=dict/yaml.dict
    [ "$target" = artifact ] && dict=dict/json.dict
    echo "fuzz $target for ${seconds}s"
    log="$(mktemp)"
    status=0
    cargo +nightly fuzz run "${flags[@]}" "$target" "$corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=8192 -dict="$dict" \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 60 "$log" >&2
        echo "fuzz target $target failed (status $status): the input is in fuzz/artifacts/$target/" >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
done
