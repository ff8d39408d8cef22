#!/usr/bin/env bash
# The local cluster test bed (CLUSTER.md, docs/cluster.md):
#   scripts/cluster.sh up [NODES]   3 nats-servers (JetStream, routes on loopback),
#                                   `waitroom cluster init`, NODES (default 3) nodes on
#                                   ports 8081, 8082, ...; prints their URLs and the
#                                   owner token
#   scripts/cluster.sh down         stops all of it
# Environment: WAITROOM_CLUSTER_STATE (default /tmp/waitroom-cluster: stores, logs,
# key file), WAITROOM_CLUSTER_PORT (first node's port, default 8081; NATS takes
# +100.., routes +200..), WAITROOM_BIN (default build/waitroom). The tests run the
# same code (tests/integration/cluster_bed.py).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export WAITROOM_BIN="${WAITROOM_BIN:-$root/build/waitroom}"
state="${WAITROOM_CLUSTER_STATE:-/tmp/waitroom-cluster}"
port="${WAITROOM_CLUSTER_PORT:-8081}"
cmd="${1:-}"
case "$cmd" in
  up)
    [ -x "$WAITROOM_BIN" ] || { echo "no $WAITROOM_BIN: run make build first" >&2; exit 2; }
    exec python3 "$root/tests/integration/cluster_bed.py" up "${2:-3}" --state "$state" \
      --base-port "$port" ;;
  down)
    exec python3 "$root/tests/integration/cluster_bed.py" down --state "$state" ;;
  *)
    echo "usage: scripts/cluster.sh up [NODES] | down" >&2; exit 2 ;;
esac
