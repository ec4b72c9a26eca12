#!/usr/bin/env bash
# Copies the repository's policies and test cases into fuzz/corpus/ (or the folder given as
# the first argument) as seed inputs: `.roles` files for the parse, fmt, compile and
# structured targets, catalogs and settings for the catalog target, artifacts (the ones
# the command-line cases print) for the artifact target. fuzz/corpus/ is not committed (see
# .gitignore).
set -euo pipefail
cd "$(dirname "$0")"
root="$PWD/.."
corpus="${1:-corpus}"
for target in parse fmt compile structured catalog artifact lsp; do
    mkdir -p "$corpus/$target"
done
find "$root/tests/cases" "$root/policies" -name '*.roles' -type f | while read -r file; do
    name="seed-$(printf '%s' "${file#"$root"/}" | sed 's|/|_|g')"
    for target in parse fmt compile structured lsp; do
        cp "$file" "$corpus/$target/$name"
    done
done
find "$root/catalog" "$root/tests/cases" -name '*.yaml' -type f | while read -r file; do
    name="seed-$(printf '%s' "${file#"$root"/}" | sed 's|/|_|g')"
    cp "$file" "$corpus/catalog/$name"
done
# The catalog target also reads its input as `rolec.yaml`.
cat > "$corpus/catalog/seed-rolec.yaml" <<'YAML'
sources: [policies, teams/]
catalog: catalog.yaml
author: Administrator
max_author: Owner
lints:
  empty-role: deny
  redundant-grant: warn
YAML
# Artifacts: what `rolec build` prints in the command-line cases (whole ones only: some
# cases elide the catalog with `...`).
grep -rlx '  "schema": "rolec.artifact/v1",' "$root/tests/cmd" | while read -r file; do
    if ! grep -qx '\.\.\.' "$file"; then
        name="seed-$(printf '%s' "${file#"$root"/}" | sed 's|/|_|g')"
        cp "$file" "$corpus/artifact/$name"
    fi
done
for target in parse fmt compile structured catalog artifact lsp; do
    echo "$corpus/$target: $(find "$corpus/$target" -type f | wc -l) files"
done
