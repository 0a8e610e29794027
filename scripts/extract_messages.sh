#!/usr/bin/env bash
# Re-extract translatable strings into lifecert/locale/messages.pot and merge into each catalogue.
set -euo pipefail
cd "$(dirname "$0")/.."
keywords=(-k N_ -k gettext -k ngettext:1,2)
for cls in LifeCertError InvalidInput PayloadTooLarge UnsupportedMedia AuthenticationRequired \
  PermissionDenied NotFound Conflict ReplayDetected TooManyRequests DataIntegrityError ServiceUnavailable \
  AccountLocked Busy; do
  keywords+=(-k "$cls")
done
.venv/bin/pybabel extract -F babel.cfg "${keywords[@]}" --no-location --sort-output \
  -o src/lifecert/locale/messages.pot src
for lang in zh_CN en; do
  .venv/bin/pybabel update -i src/lifecert/locale/messages.pot -d src/lifecert/locale -l "$lang" \
    --no-fuzzy-matching --ignore-obsolete 2>/dev/null || \
  .venv/bin/pybabel init -i src/lifecert/locale/messages.pot -d src/lifecert/locale -l "$lang"
done
