#!/usr/bin/env bash
# `npm run test:e2e`: the e2e suites (jest.e2e.config.js) once per supported n8n version, each on its own Node,
# each n8n installed once into the cache (test/e2e/install-n8n.sh). `N8N_VERSION=1.123.81 npm run test:e2e` runs
# one version. Further arguments go to jest (`npm run test:e2e -- -t 'URL mode'`). Exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

# the newest 2.x that installs here (pinned in install-n8n.sh) and the newest of the 1.x maintenance line
PINNED_2X=$(sed -n 's/^DEFAULT_N8N_VERSION=//p' test/e2e/install-n8n.sh)
N8N_1X=1.123.81
VERSIONS=${N8N_VERSION:-$PINNED_2X $N8N_1X}

summary=()
failed=0
for version in $VERSIONS; do
	echo
	echo "════════ e2e on n8n $version ════════"
	# installed before jest starts, so the install's minutes are not counted against a test's timeout
	if ! runtime=$(N8N_VERSION=$version bash test/e2e/install-n8n.sh); then
		summary+=("n8n $version: FAILED to install")
		failed=1
		continue
	fi
	node=$(echo "$runtime" | head -1)
	echo "════════ n8n $version on Node $("$node" --version) ════════"
	started=$SECONDS
	N8N_VERSION=$version npx jest --config jest.e2e.config.js --runInBand "$@"
	status=$?
	result=$([ $status -eq 0 ] && echo passed || echo FAILED)
	summary+=("n8n $version (Node $("$node" --version)): $result in $((SECONDS - started)) s")
	[ $status -eq 0 ] || failed=1
done

echo
echo "════════ e2e matrix ════════"
printf '%s\n' "${summary[@]}"
exit $failed
