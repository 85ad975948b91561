#!/usr/bin/env bash
# Install what anjia needs on Debian 12, and nothing when all is present.
#   scripts/setup.sh run     build and run (node/npm for the web UI's ECharts;
#                            cairo, pango and Noto CJK fonts for the PDF notices)
#   scripts/setup.sh test    + test tools (cmocka, sqlite3, chromium, pdftotext)
#   scripts/setup.sh bench   + wrk
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}

pkgs=(build-essential pkg-config libmicrohttpd-dev libjansson-dev libsodium-dev
      libsqlite3-dev libxlsxwriter-dev libzip-dev libexpat1-dev libcsv-dev nodejs npm
      libcairo2-dev libpango1.0-dev fonts-noto-cjk libcurl4-openssl-dev libpq-dev)
case "$mode" in
  test)  pkgs+=(libcmocka-dev sqlite3 chromium clang-format poppler-utils python3-aiosmtpd
               postgresql-15) ;;
  bench) pkgs+=(wrk sqlite3 procps bc curl gawk poppler-utils) ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node may come from elsewhere than Debian's package; accept a working one.
if command -v node >/dev/null && command -v npm >/dev/null; then
  keep=()
  for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || keep+=("$p"); done
  missing=("${keep[@]}")
fi

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# echarts (embedded into the binary) and playwright-core (no browser
# download: tests use Debian's chromium); again only when the lock changed.
if [ ! -d node_modules/echarts ] || [ ! -d node_modules/playwright-core ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
