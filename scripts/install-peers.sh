#!/usr/bin/env bash
# Installs the real DICOM peers the tests talk to (Debian packages) when any is missing.
# Runs as part of `npm test`; needs root for apt-get, otherwise says what to install.
set -euo pipefail
need=()
command -v storescu >/dev/null || need+=(dcmtk)
command -v Orthanc >/dev/null || need+=(orthanc)
[ -e /usr/share/orthanc/plugins/libOrthancDicomWeb.so ] || need+=(orthanc-dicomweb)
command -v dciodvfy >/dev/null || need+=(dicom3tools)
/usr/bin/python3 -c 'import pydicom' 2>/dev/null || need+=(python3-pydicom)
# pydicom decodes pixel data only with numpy, which it merely recommends (--no-install-recommends skips it)
/usr/bin/python3 -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
[ -e /usr/share/java/pixelmed.jar ] || need+=(pixelmed-apps)
command -v chromium >/dev/null || need+=(chromium)
command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
# PostgreSQL, the shared queue of several nodes: the server for the tests' throwaway clusters, and libpq's headers
# and pg_config for building pg-native's binding during npm ci
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
command -v pg_config >/dev/null || need+=(libpq-dev)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "missing test peers: ${need[*]} (run as root or: apt-get install ${need[*]})" >&2
  exit 1
fi
echo "installing test peers: ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
