#!/usr/bin/env bash
# Rewrites schemas/*.schema.json from rolec's types: each file becomes what
# `rolec schema NAME` prints (schemas/README.md). Run it after changing a type of the
# artifact, the JSON diff or the JSON diagnostics report, and review the diff like code:
# a field removed or changed in meaning needs a new schema version, not just new files.
#
#   scripts/update-schemas.sh
#
# `cargo test --test schemas` fails, naming this script, while a file differs from the types.
set -euo pipefail
cd "$(dirname "$0")/.."
for name in artifact diff diagnostics; do
    cargo run --quiet --bin rolec -- schema "$name" > "schemas/$name.schema.json.new"
    mv "schemas/$name.schema.json.new" "schemas/$name.schema.json"
    echo "schemas/$name.schema.json"
done
