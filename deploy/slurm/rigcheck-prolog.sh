#!/bin/sh
# Slurm Prolog: the same check as rigcheck-healthcheck.sh before every job on the node. When
# it fails the node is drained (reason: the failing checks) and the prolog exits non-zero,
# which makes Slurm drain the node too and requeue the job (Slurm's Prolog and Epilog Guide,
# https://slurm.schedmd.com/prolog_epilog.html, "Failure Handling"). slurm.conf:
#   Prolog=/usr/share/rigcheck/slurm/rigcheck-prolog.sh
# Jobs wait for it: it runs under PROLOG_TIMEOUT (default 60 s), not TIMEOUT.
exec "$(dirname "$0")/rigcheck-healthcheck.sh" --prolog
