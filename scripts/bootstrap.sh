#!/usr/bin/env bash
# Installs what a fresh machine lacks for Passerelle: uv (pinned), the Python workspace (locked).
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
if ! command -v uv >/dev/null 2>&1 || [ "$(uv --version | awk '{print $2}')" != "$UV_VERSION" ]; then
  python3 -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
uv sync --frozen --quiet

# The portal's front-end packages (the State design system, axe-core for the accessibility tests), pinned by
# services/portal/package-lock.json. Their install scripts are skipped: the DSFR's only checks a project config.
if ! cmp -s services/portal/package-lock.json services/portal/node_modules/.installed-lock.json 2>/dev/null; then
  if command -v npm >/dev/null 2>&1; then
    (cd services/portal && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
      && cp package-lock.json node_modules/.installed-lock.json)
  else
    echo "bootstrap: npm is missing; the portal's DSFR files cannot be installed (apt-get install -y npm)" >&2
  fi
fi

# The browser the portal's tests drive (Playwright cannot download its own here): Debian's Chromium.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)) \
    || echo "bootstrap: could not install chromium; the portal's browser tests will be skipped" >&2
fi
# Chromium's French translations: without them its date inputs read mm/dd/yyyy whatever the page's language.
if [ -x /usr/bin/chromium ] && [ ! -e /usr/lib/chromium/locales/fr.pak ] && [ "$(id -u)" = "0" ] \
  && command -v apt-get >/dev/null 2>&1; then
  apt-get install -y -qq chromium-l10n >/dev/null 2>&1 \
    || echo "bootstrap: could not install chromium-l10n; date inputs will show mm/dd/yyyy in the browser tests" >&2
fi
# poppler's pdftotext: the letters' tests read a PDF's text as a person's viewer lays it out.
if ! command -v pdftotext >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get install -o DPkg::Lock::Timeout=300 -y -qq poppler-utils >/dev/null 2>&1 \
    || (apt-get update -qq && apt-get install -o DPkg::Lock::Timeout=300 -y -qq poppler-utils)) \
    || echo "bootstrap: could not install poppler-utils; the letters' tests need pdftotext" >&2
fi
