#!/usr/bin/env bash
# Installs the Debian packages Waitroom needs to build, test and benchmark.
# Idempotent: asks apt only for what is missing. Works as root on a fresh Debian 12.
#   scripts/deps.sh          what `make build` / `make run` need
#   scripts/deps.sh --test   also what only the tests need (Node.js, npm, Chromium, Redis,
#                            nats-server)
set -euo pipefail
packages=(
  cmake ninja-build ccache g++ make pkg-config git
  libcaf-dev librocksdb-dev libsimdjson-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libcli11-dev libspdlog-dev libfmt-dev libhiredis-dev libre2-dev libnats-dev
  libgtest-dev libgmock-dev libbenchmark-dev libgoogle-perftools-dev
  curl jq time wrk hyperfine python3
)
with_tests=false
[ "${1-}" = "--test" ] && with_tests=true
$with_tests && packages+=(nodejs chromium redis-server nats-server)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Debian's nodejs ships npm as a package of its own; NodeSource's nodejs includes it.
if $with_tests && ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
