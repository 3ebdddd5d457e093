#!/usr/bin/env bash
# The kind path of the cluster tests (DESIGN section 9, tier 5 where Docker runs): the real images in a kind
# cluster with real kubelets, checked by the same assertion file as the local control plane
# (e2e/cluster/assertions.ts, through e2e/kind/kind.e2e.ts). .github/workflows/kind-e2e.yml runs it on every
# push and pull request; machines without a Docker engine cannot, so `npm test` checks this script instead
# (e2e/kind/kind-path.test.ts). `scripts/kind-e2e.sh --help` says what it does and needs.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/kind-e2e.sh [--help]

Builds ghcr.io/simple-server-status/dashboard:$IMAGE_TAG and .../agent:$IMAGE_TAG from the repository root,
creates the kind cluster $CLUSTER_NAME from e2e/kind/kind-config.yaml (1 control plane + 2 workers), loads both
images into it, runs `helm install sss charts/simple-server-status -n sss --wait` and `helm test`, then runs the
shared cluster assertions (e2e/kind/vitest.config.ts) against `kubectl port-forward svc/sss-dashboard`.
On exit it stops the port-forward and deletes the cluster.

Needs: docker with a running engine, kind, kubectl, helm, node and npm, and `npm ci` done.

Environment:
  CLUSTER_NAME  name of the kind cluster, which must not exist yet (default: sss-e2e)
  IMAGE_TAG     tag of both images (default: e2e)
  KEEP_CLUSTER  1 keeps the cluster and its kubeconfig after the run, to look around
EOF
}

if [ $# -gt 0 ]; then
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "kind-e2e: unknown argument: $1" >&2
      usage >&2
      exit 2
      ;;
  esac
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cluster=${CLUSTER_NAME:-sss-e2e}
tag=${IMAGE_TAG:-e2e}
namespace=sss
release=sss
dashboard_image=ghcr.io/simple-server-status/dashboard:$tag
agent_image=ghcr.io/simple-server-status/agent:$tag

# Tools on PATH win, so kubectl can match the Kubernetes release of the kind nodes; the pinned helm and kubectl
# that `npm test` builds (scripts/install-tools.sh) fill in.
export PATH="$PATH:$root/.cache/tools/bin"

missing=0
need() {
  if ! command -v "$1" >/dev/null; then
    echo "kind-e2e: $1 not found: $2" >&2
    missing=1
  fi
}
need docker 'install Docker Engine, https://docs.docker.com/engine/install/'
need kind 'go install sigs.k8s.io/kind@v0.32.0 (the version CI uses), or https://kind.sigs.k8s.io/docs/user/quick-start/#installation'
need kubectl 'https://kubernetes.io/docs/tasks/tools/'
need helm 'Helm 3, https://helm.sh/docs/intro/install/ (npm test also builds it into .cache/tools/bin)'
need node 'Node.js 20.19 or newer, https://nodejs.org/'
need npm 'it comes with Node.js'
[ "$missing" = 0 ] || exit 1
if ! docker info >/dev/null 2>&1; then
  echo "kind-e2e: no Docker engine answers ('docker info' fails): start one, or run this where Docker runs" >&2
  exit 1
fi
if [ ! -x node_modules/.bin/vitest ]; then
  echo "kind-e2e: node_modules/.bin/vitest is missing: run npm ci first" >&2
  exit 1
fi
# Deleting on exit is only safe for a cluster this run made.
clusters=$(kind get clusters 2>/dev/null)
if grep -qx -- "$cluster" <<<"$clusters"; then
  echo "kind-e2e: a kind cluster named $cluster exists: kind delete cluster --name $cluster, or set CLUSTER_NAME" >&2
  exit 1
fi

# The cluster's own kubeconfig, so the user's ~/.kube/config is left alone.
work=$(mktemp -d "${TMPDIR:-/tmp}/sss-kind-e2e.XXXXXX")
export KUBECONFIG="$work/kubeconfig"
created=0
port_forward=

cleanup() {
  local status=$?
  if [ -n "$port_forward" ]; then
    kill "$port_forward" 2>/dev/null || true
    wait "$port_forward" 2>/dev/null || true
  fi
  if [ "$created" = 1 ] && [ "$status" != 0 ]; then
    # In CI the cluster goes with the run, so what went wrong has to be in the log.
    echo "kind-e2e: failed (exit $status); the cluster's state:" >&2
    kubectl get nodes -o wide >&2 || true
    kubectl -n "$namespace" get pods -o wide >&2 || true
    kubectl -n "$namespace" get events --sort-by=.lastTimestamp >&2 || true
    kubectl -n "$namespace" logs "deployment/$release-dashboard" --tail=100 >&2 || true
  fi
  if [ "$created" = 1 ] && [ "${KEEP_CLUSTER:-}" = 1 ]; then
    echo "kind-e2e: kept the cluster: export KUBECONFIG=$KUBECONFIG; kind delete cluster --name $cluster removes it"
  else
    if [ "$created" = 1 ]; then
      kind delete cluster --name "$cluster" --kubeconfig "$KUBECONFIG" || true
    fi
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
# An interrupt exits through the EXIT trap too, so Ctrl-C leaves no cluster behind.
trap 'exit 130' INT
trap 'exit 143' TERM

step() { printf '\n== kind-e2e: %s\n' "$*"; }

step "building $dashboard_image and $agent_image"
docker build -f Dockerfile.dashboard -t "$dashboard_image" .
docker build -f Dockerfile.agent -t "$agent_image" .

step "creating the kind cluster $cluster"
# Set before the create: a create that fails halfway may leave node containers to delete.
created=1
kind create cluster --name "$cluster" --config e2e/kind/kind-config.yaml --kubeconfig "$KUBECONFIG" --wait 3m
kind load docker-image --name "$cluster" "$dashboard_image" "$agent_image"

step 'installing the chart'
# pullPolicy=Never: no registry has these images, only the nodes (kind load above).
helm install "$release" charts/simple-server-status -n "$namespace" --create-namespace --wait --timeout 5m \
  --set "dashboard.image.tag=$tag,dashboard.image.pullPolicy=Never" \
  --set "agent.image.tag=$tag,agent.image.pullPolicy=Never"
helm test "$release" -n "$namespace" --logs

step 'forwarding a local port to the dashboard'
service_port=$(kubectl -n "$namespace" get service "$release-dashboard" -o jsonpath='{.spec.ports[0].port}')
# Local port left empty: kubectl takes a free one and names it in its first line of output.
kubectl -n "$namespace" port-forward "service/$release-dashboard" ":$service_port" --address 127.0.0.1 \
  >"$work/port-forward.log" 2>&1 &
port_forward=$!
local_port=
for _ in $(seq 150); do
  local_port=$(sed -n 's/^Forwarding from 127\.0\.0\.1:\([0-9][0-9]*\) .*/\1/p' "$work/port-forward.log")
  [ -z "$local_port" ] || break
  if ! kill -0 "$port_forward" 2>/dev/null; then
    cat "$work/port-forward.log" >&2
    echo 'kind-e2e: kubectl port-forward exited' >&2
    exit 1
  fi
  sleep 0.2
done
if [ -z "$local_port" ]; then
  echo 'kind-e2e: kubectl port-forward named no local port within 30 s' >&2
  exit 1
fi
echo "dashboard: http://127.0.0.1:$local_port"

step 'running the shared cluster assertions'
SSS_KIND_DASHBOARD_URL="http://127.0.0.1:$local_port" SSS_KIND_NAMESPACE="$namespace" \
  npx vitest run --config e2e/kind/vitest.config.ts
