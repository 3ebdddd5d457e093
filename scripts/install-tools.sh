#!/usr/bin/env bash
# Builds the Go tools the tests need at pinned versions through the Go module proxy, once, into .cache/tools/bin
# (npm test runs it first). Prints that folder. Without Go it says so and leaves the tests that need the tools
# to skip, or to fail under CI=true.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.cache/tools/bin"
mkdir -p "$bin"

HELM_VERSION=v3.22.0

if ! command -v go >/dev/null; then
  echo "install-tools: no go on PATH; tests that need helm will skip (and fail under CI=true)" >&2
  echo "$bin"
  exit 0
fi

install() { # name version package
  local name=$1 version=$2 package=$3
  if [ -x "$bin/$name" ] && [ "$(cat "$bin/.$name.version" 2>/dev/null)" = "$version" ]; then return; fi
  echo "building $name $version with $(go version | cut -d' ' -f3)" >&2
  GOBIN="$bin" GOFLAGS=-mod=mod go install "$package@$version" >&2
  echo "$version" >"$bin/.$name.version"
}

install helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm
echo "$bin"
