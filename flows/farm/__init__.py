"""``flows farm``: turn harvested specs into certified, signed registry entries.

Public API::

    from flows.farm import farm_local, farm_shard, farm_merge, parse_shard
    report = farm_local(Path("harvested"), registry="registry", jobs=4)
    report.counts(), report.incomplete_by_reason(), report.exit_code
    farm_shard(Path("harvested"), parse_shard("1/4"), Path("shard-1"))  # CI: prepare, no signing
    farm_merge([Path("shard-1"), ...], registry="registry")              # CI: check, sign, commit

See docs/farm.md.
"""

from flows.farm.errors import FarmInputError, StagedIntegrityError
from flows.farm.report import FarmReport, SpecOutcome
from flows.farm.run import farm_local, farm_merge
from flows.farm.select import Candidate, Shard, discover, parse_shard
from flows.farm.shard import farm_shard
from flows.farm.versioning import VersionDecision, decide_version, rewrite_version

__all__ = [
    "Candidate",
    "FarmInputError",
    "FarmReport",
    "Shard",
    "SpecOutcome",
    "StagedIntegrityError",
    "VersionDecision",
    "decide_version",
    "discover",
    "farm_local",
    "farm_merge",
    "farm_shard",
    "parse_shard",
    "rewrite_version",
]
