#!/usr/bin/env bash
# Installs the Debian packages railwatch's tests need, only where they are missing:
# Chromium (dashboard browser tests, PDF printing) and PostgreSQL with PostGIS.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || need+=(postgis)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: missing ${need[*]}; run as root (or sudo) to install them; those tests will skip" >&2
  exit 0
fi
echo "system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
pkgs=()
for p in "${need[@]}"; do
  case $p in
    postgis) pkgs+=(postgis "postgresql-$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1 || echo 15)-postgis-3") ;;
    *) pkgs+=("$p") ;;
  esac
done
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" fonts-dejavu-core >/dev/null
