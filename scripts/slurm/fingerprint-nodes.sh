#!/bin/sh
# Fingerprints every node of a Slurm allocation or partition with one task per node, writing
# one JSON per node, named by node: OUTDIR/NODE.json. OUTDIR must be on a filesystem all nodes
# share (NFS, Lustre, GPFS). Then: rigcheck fleet OUTDIR.
#   scripts/slurm/fingerprint-nodes.sh OUTDIR [srun options…]
# Examples:
#   scripts/slurm/fingerprint-nodes.sh /shared/fp --partition=gpu --nodes=64
#   RIGCHECK=/shared/bin/rigcheck scripts/slurm/fingerprint-nodes.sh /shared/fp -w node[001-008]
# Inside an sbatch job, it uses the job's nodes (see fingerprint-nodes.sbatch).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [srun options…]" >&2; exit 2; }
out=$1; shift
rigcheck=${RIGCHECK:-rigcheck}
mkdir -p "$out"
if [ -n "${SLURM_JOB_NUM_NODES:-}" ]; then
  nodes=$SLURM_JOB_NUM_NODES
else
  nodes=$(sinfo -h -o '%D' "$@" 2>/dev/null | awk '{ n += $1 } END { print n + 0 }')
  [ "$nodes" -gt 0 ] || nodes=1
fi
# One task per node; each writes its own file atomically (rigcheck -o), named by the node.
RIGCHECK_BIN=$rigcheck RIGCHECK_OUT=$out srun --nodes="$nodes" --ntasks="$nodes" --ntasks-per-node=1 "$@" \
  sh -c '"$RIGCHECK_BIN" fingerprint --redact -o "$RIGCHECK_OUT/${SLURMD_NODENAME:-$(hostname -s)}.json" >/dev/null'
echo "wrote $(ls "$out"/*.json 2>/dev/null | wc -l) fingerprint(s) to $out; next: rigcheck fleet $out" >&2
