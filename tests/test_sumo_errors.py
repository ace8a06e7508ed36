from __future__ import annotations

from appbuilder.sumo.errors import SumoApiError, hint_for, parse_error_body
from appbuilder.sumo.jobs import job_error


def test_v2_body() -> None:
    body = parse_error_body(
        '{"id":"RO4X1-BZW7P-Q8KJF","errors":[{"code":"api_not_enabled","message":"Not enabled."},'
        '{"code":"other","message":"Second."}]}'
    )
    assert body.code == "api_not_enabled"
    assert body.message == "Not enabled.; Second."
    assert body.request_id == "RO4X1-BZW7P-Q8KJF"


def test_legacy_flat_body() -> None:
    body = parse_error_body('{"status":401,"id":"FRXHW-NB12G-HMYO6","code":"unauthorized",'
                            '"message":"Credential could not be verified."}')
    assert (body.code, body.request_id) == ("unauthorized", "FRXHW-NB12G-HMYO6")
    assert body.message == "Credential could not be verified."


def test_non_json_and_empty_bodies() -> None:
    body = parse_error_body("<html><body>502 Bad Gateway</body></html>\n")
    assert body.code == "" and "502 Bad Gateway" in body.message
    assert parse_error_body("") == parse_error_body("   ")
    assert parse_error_body("[1, 2]").message == "[1, 2]"


def test_hints() -> None:
    where = "deployment us2 (https://api.us2.sumologic.com/api)"
    assert "us2" in hint_for(401, "unauthorized", where) and "deployment" in hint_for(401, "", where)
    assert "admin" in hint_for(403, "forbidden", where).lower()
    assert "ETag" in hint_for(412, "", where)
    assert "already exists" in hint_for(400, "DuplicateResourceName", where)
    assert "already exists" in hint_for(409, "", where)
    assert "rate limit" in hint_for(429, "rate.limit.exceeded", where)
    assert "not exist" in hint_for(404, "notfound", where)
    assert "reach" in hint_for(None, "", where)


def test_api_error_text() -> None:
    err = SumoApiError(method="PUT", path="/v1/collectors/1/sources/2", status=412, code="precondition",
                       message="stale", request_id="ABC", hint="re-read", attempts=1)
    assert str(err) == ("PUT /v1/collectors/1/sources/2 failed: HTTP 412 precondition: stale (request id ABC)"
                        " (hint: re-read)")
    assert err.is_stale and not err.is_not_found and err.call == "PUT /v1/collectors/1/sources/2"
    dup = SumoApiError(method="POST", path="/v1/collectors", status=400, code="DuplicateResourceName")
    assert dup.is_duplicate


def test_job_error_accepts_error_and_errors() -> None:
    assert job_error({"status": "Failed", "error": {"code": "a", "message": "m"}}) == ("a", "m")
    failed = {"status": "Failed", "errors": {"code": "content1:too_many_items", "message": "Too many"}}
    assert job_error(failed) == ("content1:too_many_items", "Too many")
    assert job_error({"status": "Failed", "errors": [{"code": "x", "message": "y", "detail": "z"}]}) \
        == ("x", "y (z)")
    assert job_error({"status": "Failed", "statusMessage": "boom"}) == ("", "boom")
