#!/usr/bin/env bash
# Copies the dashboard screenshots that the browser tests wrote
# (build/tests/node/screenshots, by `make test` or
# `ctest --test-dir build -R browser.dashboard_views`) to docs/screenshots, for the README.
set -euo pipefail
cd "$(dirname "$0")/.."
from=${BUILD_DIR:-build}/tests/node/screenshots
for name in queue-desktop checkin-phone; do
  if [[ ! -f $from/$name.png ]]; then
    echo "no $from/$name.png: run the browser tests first (make test)" >&2
    exit 1
  fi
  cp "$from/$name.png" docs/screenshots/
done
echo "copied queue-desktop.png and checkin-phone.png to docs/screenshots/"
