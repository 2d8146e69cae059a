#!/usr/bin/env bash
# Install the Debian packages the project needs, only when they are missing.
#   base: GNU gettext (compiling the Dutch catalogue), Node.js/npm for the front-end assets, Pango for PDFs
#   test: additionally Debian's chromium for the browser tests and poppler-utils (pdftoppm)
set -euo pipefail
need=()
command -v msgfmt >/dev/null || need+=(gettext)
command -v npm >/dev/null || need+=(nodejs npm)
# WeasyPrint renders with Pango (and its fonts).
ldconfig -p | grep -q "libpangoft2-1.0.so.0" || need+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
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
