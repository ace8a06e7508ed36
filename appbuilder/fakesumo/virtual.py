"""A fake Sumo with Sumo's real limits on a virtual clock, and clients that share the clock.

    with VirtualSumo() as sumo:
        run_install(app, {}, DeployOptions(base_url=sumo.base_url, access_id=sumo.access_id,
                    access_key=sumo.access_key, client_options=sumo.client_options()))

The fake limits each key to 4 requests/s and 10 in flight and makes jobs report InProgress for
``job_polls`` polls, like Sumo; the clients' rate budget, retry backoff, Retry-After waits and job polls
wait on the same ``VirtualClock``, so none of it costs real time. ``clock.sleeps`` lists what was waited.
"slow" faults and ``latency`` still take real time (they exist to trip real socket timeouts).
"""

from __future__ import annotations

from typing import Any

from appbuilder.clock import VirtualClock
from appbuilder.fakesumo.server import FakeSumo
from appbuilder.sumo.client import SumoClient
from appbuilder.sumo.endpoints import Credentials, resolve_credentials

ACCESS_ID, ACCESS_KEY = "suAccessId", "accessKeySecret"


class VirtualSumo:
    """A started-on-enter ``FakeSumo`` (``.fake``) on a ``VirtualClock`` (``.clock``)."""

    def __init__(self, rate_limit: float | None = 4.0, max_in_flight: int | None = 10, job_polls: int = 2,
                 clock: VirtualClock | None = None) -> None:
        self.clock = clock or VirtualClock()
        self.access_id, self.access_key = ACCESS_ID, ACCESS_KEY
        self.fake = FakeSumo(keys={ACCESS_ID: ACCESS_KEY}, rate_limit=rate_limit, max_in_flight=max_in_flight,
                             job_polls=job_polls, clock=self.clock)

    def __enter__(self) -> VirtualSumo:
        self.fake.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.fake.stop()

    @property
    def base_url(self) -> str:
        return self.fake.base_url

    @property
    def credentials(self) -> Credentials:
        return resolve_credentials(self.access_id, self.access_key, base_url=self.base_url, env={})

    def client_options(self, **overrides: Any) -> dict[str, Any]:
        """``SumoClient`` keyword arguments (``DeployOptions.client_options``): the shared clock, Sumo's
        rate of 4 requests/s, short socket timeouts."""
        return {"clock": self.clock, "rate": 4.0, "timeout": (2.0, 5.0), **overrides}

    def client(self, **overrides: Any) -> SumoClient:
        """A new client on the shared clock (close it, or use it in a ``with``)."""
        return SumoClient(self.credentials, **self.client_options(**overrides))
