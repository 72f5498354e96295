#!/bin/sh
# Makes sure a Docker daemon answers, starting one if none does (the integration tests
# talk to a real daemon). Uses systemd where it runs; otherwise starts dockerd directly,
# without bridge networking or iptables (the tests run containers with --network none).
set -eu

docker info >/dev/null 2>&1 && exit 0

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  as_root systemctl start docker >/dev/null 2>&1 || true
fi
if ! docker info >/dev/null 2>&1; then
  log="${TMPDIR:-/tmp}/rigcheck-dockerd.log"
  echo "rigcheck: starting dockerd (log: $log)"
  as_root sh -c "nohup dockerd --iptables=false --ip-masq=false --bridge=none --storage-driver=overlay2 >'$log' 2>&1 &"
fi
i=0
until docker info >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -gt 60 ]; then
    echo "rigcheck: the Docker daemon did not come up within 60 s; see ${TMPDIR:-/tmp}/rigcheck-dockerd.log" >&2
    exit 1
  fi
  sleep 1
done
