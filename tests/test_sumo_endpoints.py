from __future__ import annotations

import pytest

from appbuilder.sumo.endpoints import DEPLOYMENTS, base_url_for, resolve_credentials
from appbuilder.sumo.errors import SumoConfigError

ENV = {"SUMOLOGIC_ACCESSID": "suEnvId", "SUMOLOGIC_ACCESSKEY": "envKeySecret"}


def test_every_deployment_has_an_https_api_url() -> None:
    assert set(DEPLOYMENTS) == {"us1", "us2", "eu", "au", "ca", "de", "in", "jp", "kr", "fed", "ch", "esc"}
    assert base_url_for("us1") == "https://api.sumologic.com/api"
    assert base_url_for("US2") == "https://api.us2.sumologic.com/api"
    for name, url in DEPLOYMENTS.items():
        assert url.startswith("https://api.") and url.endswith(".sumologic.com/api"), name


def test_unknown_deployment_lists_valid_ones() -> None:
    with pytest.raises(SumoConfigError) as info:
        base_url_for("mars")
    text = str(info.value)
    assert "mars" in text and "us2" in text and "esc" in text
    assert "--deployment" in info.value.hint and "--environment" not in info.value.hint  # the flag that exists


def test_environment_variables_are_read() -> None:
    creds = resolve_credentials(env={**ENV, "SUMOLOGIC_ENVIRONMENT": "eu"})
    assert (creds.access_id, creds.access_key) == ("suEnvId", "envKeySecret")
    assert creds.base_url == "https://api.eu.sumologic.com/api"
    assert creds.deployment == "eu"
    assert "envKeySecret" not in repr(creds)


def test_default_deployment_is_us1() -> None:
    assert resolve_credentials(env=ENV).deployment == "us1"


def test_flags_override_environment() -> None:
    env = {**ENV, "SUMOLOGIC_ENVIRONMENT": "eu", "SUMOLOGIC_BASE_URL": "https://api.de.sumologic.com/api/"}
    creds = resolve_credentials("flagId", "flagKeySecret", environment="jp", env=env)
    assert (creds.access_id, creds.access_key, creds.deployment) == ("flagId", "flagKeySecret", "jp")
    creds = resolve_credentials(base_url="http://127.0.0.1:9/api/", environment="jp", env=env)
    assert creds.base_url == "http://127.0.0.1:9/api" and creds.deployment is None
    assert "127.0.0.1" in creds.where


def test_env_base_url_beats_env_environment() -> None:
    env = {**ENV, "SUMOLOGIC_ENVIRONMENT": "eu", "SUMOLOGIC_BASE_URL": "https://api.de.sumologic.com/api/"}
    creds = resolve_credentials(env=env)
    assert creds.base_url == "https://api.de.sumologic.com/api" and creds.deployment == "de"


@pytest.mark.parametrize("missing", ["SUMOLOGIC_ACCESSID", "SUMOLOGIC_ACCESSKEY"])
def test_missing_variable_is_named(missing: str) -> None:
    env = {k: v for k, v in ENV.items() if k != missing}
    with pytest.raises(SumoConfigError, match=missing):
        resolve_credentials(env=env)


def test_bad_base_url() -> None:
    with pytest.raises(SumoConfigError, match="base URL"):
        resolve_credentials(base_url="api.sumologic.com", env=ENV)
