#!/usr/bin/env bash
# The reliability and security suites on their own: bounded (as in `npm test`) or full (HARDEN_FULL=1: 500 users at
# 20% Graph faults, 10,000 generated inputs through HTTP and through each validator and the CSV export).
# Usage: test/reliability/run-slow-suites.sh [--full] [--seed N] [--verbose]
set -euo pipefail
cd "$(dirname "$0")/../.."
while [ $# -gt 0 ]; do
  case "$1" in
    --full) export HARDEN_FULL=1 ;;
    --seed) export HARDEN_SEED="$2"; shift ;;
    --verbose) export HARDEN_VERBOSE=1 ;;
    *) echo "unknown option: $1 (use --full, --seed N, --verbose)" >&2; exit 2 ;;
  esac
  shift
done
form=bounded
[ "${HARDEN_FULL:-}" = 1 ] && form=full
echo "harden suites: $form form, $(node --version)"
exec npx vitest run test/reliability test/security
