#!/usr/bin/env bash
# Refresh the Dutch catalogues. Each app that has a locale/ folder keeps its own catalogue (so that work on
# different apps never edits one shared .po file); maatwerk/locale holds the rest (layout, accounts).
set -euo pipefail
cd "$(dirname "$0")/../maatwerk"
PY=../.venv/bin/python
ignores=(--ignore "static/vendor/*" --ignore "*/tests/*")
for dir in */locale; do
  app=${dir%/locale}
  ignores+=(--ignore "$app/*")
  (cd "$app" && ../$PY ../../manage.py makemessages -l nl --no-obsolete --no-location \
      --ignore "tests/*" --verbosity 0)
done
$PY ../manage.py makemessages -l nl --no-obsolete --no-location "${ignores[@]}" --verbosity 0
