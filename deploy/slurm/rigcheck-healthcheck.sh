#!/bin/sh
# Slurm health check: runs `rigcheck doctor` (and, when a site lock is configured,
# `rigcheck verify`) on this node and drains the node when a check fails, with a reason that
# names the failing checks:
#   scontrol update nodename=NODE state=drain reason="rigcheck: gpu.driver-bound driver.kernel-module"
# It never resumes a node: an administrator does, after fixing it
# (scontrol update nodename=NODE state=resume). A node already drained is left as it is.
#
# slurm.conf (slurmd runs it as root, on every node):
#   HealthCheckProgram=/usr/share/rigcheck/slurm/rigcheck-healthcheck.sh
#   HealthCheckInterval=600
#   HealthCheckNodeState=IDLE
# Configuration: /etc/rigcheck/healthcheck.conf (another file with RIGCHECK_HEALTHCHECK_CONF),
# shell assignments; every one is optional (example: /usr/share/rigcheck/slurm/healthcheck.conf):
#   RIGCHECK=/usr/bin/rigcheck  DOCTOR_ARGS="--cuda 12.4"  STRICT=no  ROOT=  LOCK=  TIMEOUT=120
#   PROLOG_TIMEOUT=60  (TIMEOUT when run as `rigcheck-healthcheck.sh --prolog`)
#   NODE=  (default: $SLURMD_NODENAME, else hostname -s)  SCONTROL=scontrol
# Exit status: 0 healthy; 1 the node was drained (or already was); 2 the configuration is bad.
# Slurm ignores the exit status of a HealthCheckProgram; rigcheck-prolog.sh uses it.
# Slurm runs prologs and health checks with no search path set
# (https://slurm.schedmd.com/prolog_epilog.html): set one.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
conf=${RIGCHECK_HEALTHCHECK_CONF:-/etc/rigcheck/healthcheck.conf}
RIGCHECK=rigcheck DOCTOR_ARGS="" STRICT=no ROOT="" LOCK="" TIMEOUT=120 PROLOG_TIMEOUT=60 NODE="" SCONTROL=scontrol
if [ -e "$conf" ]; then
  # shellcheck disable=SC1090
  . "$conf" || { echo "rigcheck-healthcheck: cannot read $conf" >&2; exit 2; }
fi
# As a prolog (rigcheck-prolog.sh), jobs wait for it: its own, shorter deadline.
[ "${1:-}" = --prolog ] && TIMEOUT=$PROLOG_TIMEOUT
node=${NODE:-${SLURMD_NODENAME:-$(hostname -s)}}
case $TIMEOUT in '' | *[!0-9]*) echo "rigcheck-healthcheck: $conf: (PROLOG_)TIMEOUT=$TIMEOUT is not a number of seconds" >&2; exit 2 ;; esac

drain() { # drain REASON: drain the node unless it is drained already
  if "$SCONTROL" show node "$node" 2>/dev/null | grep -q -E 'State=[A-Z_+]*DRAIN'; then
    echo "rigcheck-healthcheck: $node is already drained; left as it is (wanted: $1)" >&2
  elif ! "$SCONTROL" update nodename="$node" state=drain reason="$1"; then
    echo "rigcheck-healthcheck: could not drain $node (reason: $1)" >&2
  else
    echo "rigcheck-healthcheck: drained $node: $1" >&2
  fi
  exit 1
}

root_args=""
[ -n "$ROOT" ] && root_args="--root $ROOT"
strict_args=""
[ "$STRICT" = yes ] && strict_args="--strict"
out=$(mktemp "${TMPDIR:-/tmp}/rigcheck-healthcheck-XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT

# The doctor's Prometheus format has one line per check with its worst severity (0–3), easy to
# read without a JSON parser: rigcheck_doctor_check_status{check="gpu.nouveau",severity="error"} 3
# shellcheck disable=SC2086
timeout --kill-after=10 "$TIMEOUT" "$RIGCHECK" doctor --format prometheus $strict_args $root_args $DOCTOR_ARGS >"$out" 2>"$out.err"
status=$?
err=$(head -c 200 "$out.err" | tr '\n' ' '); rm -f "$out.err"
case $status in
  0) ;;
  1)
    worst=3; [ "$STRICT" = yes ] && worst=2
    failing=$(sed -n 's/^rigcheck_doctor_check_status{check="\([^"]*\)",severity="[a-z]*"} \([0-9]\)$/\2 \1/p' "$out" |
      awk -v worst="$worst" '$1 >= worst { printf "%s%s", sep, $2; sep = " " }')
    drain "rigcheck: ${failing:-doctor failed}"
    ;;
  124 | 137) drain "rigcheck: doctor timed out after ${TIMEOUT}s" ;;
  *) drain "rigcheck: doctor could not run (exit $status) $err" ;;
esac

if [ -n "$LOCK" ]; then
  # shellcheck disable=SC2086
  timeout --kill-after=10 "$TIMEOUT" "$RIGCHECK" verify --lock "$LOCK" $strict_args $root_args >"$out" 2>&1
  status=$?
  case $status in
    0) ;;
    1) drain "rigcheck: verify: drift from $LOCK" ;;
    124 | 137) drain "rigcheck: verify timed out after ${TIMEOUT}s" ;;
    *) drain "rigcheck: verify could not run (exit $status) $(head -c 200 "$out" | tr '\n' ' ')" ;;
  esac
fi
exit 0
