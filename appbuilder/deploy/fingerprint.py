"""A saved plan's fingerprint: a digest of the org state the plan was made from, over every kind in the registry
(each kind's ``stamp``: the identity and a modification stamp or body digest of each item it read). Equal
fingerprints mean nothing a plan touches was changed in Sumo in between; `install --plan` refuses otherwise."""

from __future__ import annotations

import hashlib

from appbuilder.kinds import KINDS, Org
from appbuilder.sumo.normalise import canonical_json


def org_fingerprint(org: Org) -> str:
    """The digest of every kind's stamp (reads what the plan read; the kinds' reads are cached on the state)."""
    seen = {kind.name: kind.stamp(org) for kind in KINDS}
    return hashlib.sha256(canonical_json(seen).encode()).hexdigest()[:16]
