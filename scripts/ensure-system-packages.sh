#!/usr/bin/env bash
# Install the Debian packages the project needs, only when they are missing.
#   base: GNU gettext (compiling the Dutch catalogue), Node.js/npm for the front-end assets
#   test: additionally Debian's chromium for the browser tests and poppler-utils (pdftoppm)
set -euo pipefail
need=()
command -v msgfmt >/dev/null || need+=(gettext)
command -v npm >/dev/null || need+=(nodejs npm)
if [ "${1:-base}" = test ]; then
  command -v chromium >/dev/null || need+=(chromium)
  command -v pdftoppm >/dev/null || need+=(poppler-utils)
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
