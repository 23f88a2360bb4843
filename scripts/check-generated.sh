#!/usr/bin/env bash
# check-generated.sh: fail when `go generate ./...` would change gen/ or the generated managers.
# It regenerates in place; on a difference it prints the diff and exits 1,
# leaving the regenerated files for you to commit.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(mktemp -d)
trap 'rm -rf "$before"' EXIT
# Generated files: gen/, the zz_*.go files next to hand-written code and
# the managers (*.gen.go) of pkg/keystone/identityv2 and identityv3.
mkdir -p "$before/zz"
cp -a gen "$before/gen"
for f in $(find pkg -name 'zz_*.go' -o -name '*.gen.go'); do mkdir -p "$before/zz/$(dirname "$f")"; cp "$f" "$before/zz/$f"; done
go generate ./...
changed=0
for f in $(find pkg -name 'zz_*.go' -o -name '*.gen.go'); do cmp -s "$f" "$before/zz/$f" || { echo "changed: $f"; changed=1; }; done
if ! diff -ru "$before/gen" gen || [ "$changed" = 1 ]; then
  echo "check-generated: gen/ is stale: run 'make generate' and commit the result" >&2
  exit 1
fi
echo "check-generated: gen/ is fresh"
