#!/usr/bin/env bash
# The double-charge story from the shell: three contacts and a refund promised but
# never confirmed. Every time is explicit, so running it again gives the same result.
# Usage: examples/cases/double-charge.sh [DATABASE_URL]   (default: a fresh SQLite file)
set -euo pipefail
DB="${1:-sqlite:///$(mktemp -d)/cases.db}"
fp() { flexpolicy case "$@" --db "$DB"; }

CASE=$(fp open --customer C-1042 --subject "Charged twice for a coffee grinder" \
  --at 2026-11-02T10:00 --by E-17 --channel phone --note "two charges of 129.00 on the card")
fp log "$CASE" --at 2026-11-02T10:05 --by E-17 --step "refund of the duplicate requested from payments"
fp log "$CASE" --at 2026-11-02T10:06 --by E-17 --promise "refund of 129.00 to the card" --due 2026-11-07 >/dev/null
fp log "$CASE" --at 2026-11-09T16:00 --by E-22 --contact phone --note "refund has not arrived"
fp log "$CASE" --at 2026-11-12T09:30 --by E-31 --contact email --note "still no refund"

fp show "$CASE" --as-of 2026-11-12
fp sweep --as-of 2026-11-12 --rules rules/escalations.yaml
fp sweep --as-of 2026-11-12 --rules rules/escalations.yaml   # each escalation is raised once
fp stats --as-of 2026-11-12
