#!/usr/bin/env bash
# Copy the front-end packages from node_modules into static files (served by WhiteNoise).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=maatwerk/static/vendor
rm -rf "$dest"
mkdir -p "$dest/utrecht/component-library-css" "$dest/utrecht/design-tokens" "$dest/htmx"
cp node_modules/@utrecht/component-library-css/dist/index.css "$dest/utrecht/component-library-css/"
cp node_modules/@utrecht/design-tokens/dist/theme.css node_modules/@utrecht/design-tokens/dist/index.css \
   "$dest/utrecht/design-tokens/"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx/"
