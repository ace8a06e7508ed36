"""A Sumo Logic-compatible management API server for tests and CI (``FakeSumo``).

    from appbuilder.fakesumo import FakeSumo
    with FakeSumo(keys={"suAccessId": "accessKeySecret"}, rate_limit=4.0, job_polls=2) as fake:
        requests.get(fake.base_url + "/v2/content/folders/personal", auth=("suAccessId", "accessKeySecret"))

It implements the content API v2 (folders, path lookups, async import/export/delete with validation of
sync definitions, permissions), the Dashboards API v2 and the Log Searches API v1 over the same content
store, the Monitors library API v1, and the Collector API v1 (hosted collectors, the 1Password
Cloud-to-Cloud source),
with request and response bodies checked against Sumo's OpenAPI spec (``appbuilder.fakesumo.contract``),
Basic auth, Sumo's rate limits (per-second and in-flight, 429 with Retry-After), both error body
shapes, injectable faults (``inject``), a request log (``requests``) and ``/__fake/`` control endpoints
(see ``appbuilder.fakesumo.control``). Its rate limiter and timestamps read an injectable clock;
``appbuilder.fakesumo.virtual.VirtualSumo`` runs it on a virtual clock shared with its clients.
"""

from appbuilder.fakesumo.server import FakeSumo
from appbuilder.fakesumo.traffic import FAULTS, RequestRecord

__all__ = ["FAULTS", "FakeSumo", "RequestRecord"]
