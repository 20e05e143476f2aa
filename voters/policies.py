"""Who may do what with voter-list snapshots (docs/roles.md: reference data and voter
snapshots are read by every role and edited by analysts and administrators)."""

from __future__ import annotations

from observation.kernel.access import Access
from observation.policies import REFERENCE_DATA

VOTER_SNAPSHOTS: Access = REFERENCE_DATA
# Importing writes snapshots, so it follows the same rule; named apart because pages and
# API ask for it by its own name.
VOTER_SNAPSHOT_IMPORT: Access = REFERENCE_DATA
