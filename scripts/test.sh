#!/usr/bin/env bash
# Install what the test suite needs and run all of it.
# SQLite by default; set DATABASE_URL=postgres://... to run against PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/lib/chromium/chromium ] || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
dpkg -s libreoffice-writer >/dev/null 2>&1 || need+=(libreoffice-writer)
dpkg -s libreoffice-calc >/dev/null 2>&1 || need+=(libreoffice-calc)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q && apt-get install -y -q --no-install-recommends "${need[@]}"
  else
    echo "缺少 Debian 软件包：${need[*]}（请以 root 运行 apt-get install -y ${need[*]}）" >&2
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
# pytest exits 5 when it collected no tests; with set -e that fails the run, as it should.
exec .venv/bin/python -m pytest "$@"
