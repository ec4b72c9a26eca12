#!/usr/bin/env bash
# Headless Neovim (0.7 or later, Debian's `neovim`) against `rolec lsp`, with the snippet of
# editors/neovim/rolec.lua: opens a policy file, waits for its diagnostics, goes to a
# definition in another file. Usage: tests/lsp/neovim/smoke.sh [ROLEC_BINARY]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
rolec="$(realpath "${1:-$repo/target/release/rolec}")"
project="$(mktemp -d)"
trap 'rm -rf "$project"' EXIT
mkdir -p "$project/policies"
printf 'sources: [policies]\n' > "$project/rolec.yaml"
printf 'author Administrator\n\nrole "Sales Lead" copies User < +crm >\n' > "$project/policies/sales.roles"
printf 'author Administrator\nrole Marketer inherits "Sales Lead" < +webhok >\n' > "$project/policies/marketing.roles"
nvim --version | head -1
ROLEC_PROJECT="$project" ROLEC_BIN="$rolec" ROLEC_SNIPPET="$repo/editors/neovim/rolec.lua" \
    timeout 60 nvim --headless --clean -n -c "luafile $here/smoke.lua"
echo "neovim smoke test: ok"
