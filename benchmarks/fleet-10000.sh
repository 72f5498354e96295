#!/bin/sh
# Kept for old links: `rigcheck fleet` over 2,000 and 10,000 (or [nodes]) fingerprints against
# Python's json.load of the same files; see benchmarks/fleet.sh.
#   benchmarks/fleet-10000.sh [nodes]
exec "$(dirname "$0")/fleet.sh" 2000 "${1:-10000}"
