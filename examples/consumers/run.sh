#!/usr/bin/env bash
# The bindings of policies/ and the applications that use them (.ci/run, step "bindings and
# consumers"; docs/artifact.md): generates the bindings in Rust, TypeScript and Python and
# checks each file alone with its language's strict checker, then builds the artifact of
# policies/ and runs the TypeScript and Python consumers on it, each type-checked with the
# generated bindings first. Fails on the first problem.
#
#   examples/consumers/run.sh [ROLEC]    (default: target/release/rolec)
#
# Needs rustc; node with examples/consumers/typescript/node_modules (`npm ci` there); mypy
# (MYPY, default .ci/venv/bin/mypy: `pip install -r .ci/requirements.txt`) and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
rolec="$(realpath "${1:-target/release/rolec}")"
mypy="$(realpath "${MYPY:-.ci/venv/bin/mypy}")"
tsc="$PWD/examples/consumers/typescript/node_modules/.bin/tsc"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "bindings of policies/, each alone:"
"$rolec" bindings --lang rust policies/ -o "$work/roles.rs"
rustc --edition 2021 --crate-type lib -D warnings --out-dir "$work" "$work/roles.rs"
echo "  rustc --edition 2021 --crate-type lib: ok"
"$rolec" bindings --lang typescript policies/ -o "$work/roles.ts"
"$tsc" --strict --noEmit "$work/roles.ts"
echo "  tsc --strict --noEmit: ok"
"$rolec" bindings --lang python policies/ -o "$work/roles.py"
(cd "$work" && "$mypy" --strict --cache-dir "$work/.mypy_cache" roles.py && python3 -c 'import roles')
echo "  mypy --strict, python3 -c 'import roles': ok"

# The artifact and the bindings from the same sources and the same folder: the bindings name
# the artifact's SHA-256, and the consumers refuse any other artifact.
"$rolec" build policies/ -o "$work/policies.json"

echo "the Python consumer:"
"$rolec" bindings --lang python policies/ -o examples/consumers/python/rolec_roles.py
(
    cd examples/consumers/python
    "$mypy" --strict --cache-dir "$work/.mypy_cache" .
    python3 main.py "$work/policies.json"
)

echo "the TypeScript consumer:"
"$rolec" bindings --lang typescript policies/ -o examples/consumers/typescript/src/rolec-roles.ts
(
    cd examples/consumers/typescript
    "$tsc" -p .
    node out/main.js "$work/policies.json"
)
