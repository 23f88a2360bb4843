#!/usr/bin/env bash
# check-generated.sh: fail when `go generate ./...` would change gen/.
# It regenerates in place; on a difference it prints the diff and exits 1,
# leaving the regenerated files for you to commit.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(mktemp -d)
trap 'rm -rf "$before"' EXIT
cp -a gen "$before/gen"
go generate ./...
if ! diff -ru "$before/gen" gen; then
  echo "check-generated: gen/ is stale: run 'make generate' and commit the result" >&2
  exit 1
fi
echo "check-generated: gen/ is fresh"
