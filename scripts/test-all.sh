#!/usr/bin/env bash
# Everything a fresh Debian 12 machine needs, then every test. Run as root: the integration tests
# create network namespaces and start a real SoftEther SSTP server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-fund --no-audit
npm test
