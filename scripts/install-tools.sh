#!/usr/bin/env bash
# Builds the Go tools the tests need at pinned versions through the Go module proxy and prints the folder that
# holds them (.cache/tools/bin in the checkout). npm test runs it first.
#
# Each tool set is built once into a cache OUTSIDE the checkout, keyed by version
# ($SSS_TOOLS_CACHE, default ~/.cache/sss-tools/<set>-<version>/), so a fresh clone (CI clones afresh every run)
# links the cached binaries instead of rebuilding them: a cold build of everything takes about 8 minutes on two
# cores, a warm run well under a second. Without Go it says so and leaves the tests that need the tools to skip,
# or to fail under CI=true.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.cache/tools/bin"
cache="${SSS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sss-tools}"
mkdir -p "$bin" "$cache"

HELM_VERSION=v3.22.0
KWOK_VERSION=v0.7.0
# One Kubernetes release for kube-apiserver, kube-controller-manager, kube-scheduler and kubectl; the staging
# modules it replaces are pinned in scripts/tools/kubernetes/go.mod (v0.34.x for v1.34.x).
KUBERNETES_VERSION=v1.34.4
# 3.6: Debian's etcd 3.4.23 lacks the watch progress requests Kubernetes 1.34's streamed lists need.
ETCD_VERSION=v3.6.4

if ! command -v go >/dev/null; then
  echo "install-tools: no go on PATH; tests that need helm, kwok, etcd or Kubernetes will skip (and fail under CI=true)" >&2
  echo "$bin"
  exit 0
fi

export GOFLAGS=-mod=mod CGO_ENABLED=0
ldflags="-s -w"

# built SET VERSION NAME...: true when every NAME of SET@VERSION is in the cache.
built() {
  local dir="$cache/$1-$2" name
  shift 2
  for name in "$@"; do [ -x "$dir/$name" ] || return 1; done
}

# link SET VERSION NAME...: points .cache/tools/bin/NAME at the cached binary.
link() {
  local dir="$cache/$1-$2" name
  shift 2
  for name in "$@"; do ln -sfn "$dir/$name" "$bin/$name"; done
}

# A build goes to a temporary folder first and is renamed into place, so an interrupted build is never cached.
staging() { mktemp -d "$cache/.build-XXXXXX"; }
publish() { rm -rf "${cache:?}/${2:?}"; mv "$1" "$cache/$2"; }

# go_install NAME VERSION PACKAGE: a module that `go install` builds as it is.
go_install() {
  local name=$1 version=$2 package=$3 out
  if ! built "$name" "$version" "$name"; then
    echo "building $name $version with $(go version | cut -d' ' -f3)" >&2
    out=$(staging)
    GOBIN="$out" go install -trimpath -ldflags "$ldflags" "$package@$version" >&2
    publish "$out" "$name-$version"
  fi
  link "$name" "$version" "$name"
}

go_install helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm
go_install kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok

if ! built etcd "$ETCD_VERSION" etcd; then
  echo "building etcd $ETCD_VERSION" >&2
  out=$(staging)
  (cd "$root/scripts/tools/etcd" && go build -trimpath -ldflags "$ldflags" -o "$out/etcd" go.etcd.io/etcd/server/v3) >&2
  publish "$out" "etcd-$ETCD_VERSION"
fi
link etcd "$ETCD_VERSION" etcd

kube=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
if ! built kubernetes "$KUBERNETES_VERSION" "${kube[@]}"; then
  echo "building ${kube[*]} $KUBERNETES_VERSION (several minutes)" >&2
  out=$(staging)
  minor=${KUBERNETES_VERSION#v1.}
  minor=${minor%%.*}
  # Without the version stamped in, the API server says v0.0.0-master and helm refuses charts with a kubeVersion.
  stamp=""
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    stamp+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    stamp+=" -X $pkg.gitTreeState=clean"
  done
  # One go build for the four commands: about 40 % faster than four.
  (cd "$root/scripts/tools/kubernetes" &&
    go build -trimpath -ldflags "$ldflags$stamp" -o "$out/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl) >&2
  publish "$out" "kubernetes-$KUBERNETES_VERSION"
fi
link kubernetes "$KUBERNETES_VERSION" "${kube[@]}"

echo "$bin"
