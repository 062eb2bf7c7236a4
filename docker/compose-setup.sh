#!/bin/sh
# Registers the PACS (Orthanc) as the node's "orthanc" destination through the admin API, once the
# node answers. Idempotent: an existing destination (409) counts as done.
set -eu
: "${NODE_URL:?}" "${ADMIN_TOKEN:?}" "${ORTHANC_HOST:?}" "${ORTHANC_DICOM_PORT:?}"
ORTHANC_AE="${ORTHANC_AE:-ORTHANC}"

tries=0
until curl -fsS "$NODE_URL/api/health" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then echo "node-setup: the node at $NODE_URL did not answer /api/health" >&2; exit 1; fi
  sleep 2
done

body=$(printf '{"id":"orthanc","name":"Orthanc (PACS)","type":"dimse","aeTitle":"%s","host":"%s","port":%s}' "$ORTHANC_AE" "$ORTHANC_HOST" "$ORTHANC_DICOM_PORT")
status=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$NODE_URL/api/destinations" \
  -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' -d "$body")
case "$status" in
  201) echo "node-setup: destination orthanc ($ORTHANC_AE at $ORTHANC_HOST:$ORTHANC_DICOM_PORT) created" ;;
  409) echo "node-setup: destination orthanc exists already" ;;
  *) echo "node-setup: POST /api/destinations answered $status" >&2; exit 1 ;;
esac
