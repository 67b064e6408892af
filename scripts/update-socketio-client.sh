#!/usr/bin/env bash
# Refresh the vendored Socket.IO client from its npm package (needs npm and the registry).
set -euo pipefail
version="${1:?usage: update-socketio-client.sh VERSION}"
here="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "socket.io-client@${version}" >/dev/null && tar xzf socket.io-client-*.tgz)
cp "$tmp/package/dist/socket.io.min.js" "$here/static/vendor/socket.io/socket.io.min.js"
cp "$tmp/package/LICENSE" "$here/static/vendor/socket.io/LICENSE"
sha256sum "$here/static/vendor/socket.io/socket.io.min.js"
echo "Now update static/vendor/socket.io/VERSION.md and tests/meeting/test_static_assets.py with this checksum."
