#!/usr/bin/env bash
# Builds the container tooling Passerelle needs from pinned Go modules (no binary downloads, no registry):
#   helm and kubeconform (`go install module@version`), docker compose v2 (`go build` inside the module cache copy,
#   since `go install` refuses compose's replace directives). Binaries land in $TOOLS_DIR (default
#   $CACHE_DIR/tools), named with their version, so a second run is a no-op.
#   deploy/tools/install.sh [helm|kubeconform|compose]...   (all three by default); prints the tools folder.
set -euo pipefail
HELM_VERSION=v3.21.4
KUBECONFORM_VERSION=v0.7.0
COMPOSE_VERSION=v2.40.3
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS_DIR="${TOOLS_DIR:-${CACHE_DIR:-$ROOT/.stack/cache}/tools}"
mkdir -p "$TOOLS_DIR"
export GOFLAGS="${GOFLAGS:--buildvcs=false}" CGO_ENABLED=0

install_helm() {
  local out="$TOOLS_DIR/helm-$HELM_VERSION"
  [ -x "$out" ] || { GOBIN="$TOOLS_DIR/.helm" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" && mv "$TOOLS_DIR/.helm/helm" "$out"; }
  ln -sf "$(basename "$out")" "$TOOLS_DIR/helm"
}
install_kubeconform() {
  local out="$TOOLS_DIR/kubeconform-$KUBECONFORM_VERSION"
  [ -x "$out" ] || { GOBIN="$TOOLS_DIR/.kubeconform" go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" \
    && mv "$TOOLS_DIR/.kubeconform/kubeconform" "$out"; }
  ln -sf "$(basename "$out")" "$TOOLS_DIR/kubeconform"
}
install_compose() {
  # The docker CLI finds compose as a plugin named docker-compose in $DOCKER_CONFIG/cli-plugins.
  local out="$TOOLS_DIR/docker-compose-$COMPOSE_VERSION"
  if [ ! -x "$out" ]; then
    local dir
    dir="$(go mod download -json "github.com/docker/compose/v2@$COMPOSE_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
    local src; src="$(mktemp -d)"
    cp -r "$dir/." "$src" && chmod -R u+w "$src"
    (cd "$src" && go build -trimpath -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" -o "$out" ./cmd)
    rm -rf "$src"
  fi
  mkdir -p "$TOOLS_DIR/cli-plugins"
  ln -sf "../$(basename "$out")" "$TOOLS_DIR/cli-plugins/docker-compose"
}

tools=("$@"); [ ${#tools[@]} -gt 0 ] || tools=(helm kubeconform compose)
for tool in "${tools[@]}"; do "install_$tool"; done
echo "$TOOLS_DIR"
