from __future__ import annotations

from appbuilder.sumo.redact import MASK, Redactor


def test_registered_secrets_and_authorization_are_masked() -> None:
    r = Redactor(["accessKeySecret"])
    text = "key accessKeySecret; headers {'Authorization': 'Basic c3VBY2Nlc3NJZDphY2Nlc3NLZXk='}"
    out = r.redact(text)
    assert "accessKeySecret" not in out and "c3VBY2Nlc3NJZDphY2Nlc3NLZXk" not in out
    assert out.count(MASK) == 2


def test_short_strings_are_not_secrets() -> None:
    r = Redactor()
    r.add("ab")
    r.add("")
    r.add(None)
    assert r.redact("abc") == "abc"


def test_json_secret_keys_are_masked_and_registered() -> None:
    r = Redactor()
    body = {"source": {"config": {"name": "1pw", "api_token": "ops_tokenvalue123"}}}
    shown = r.redact_json(body)
    assert shown["source"]["config"] == {"name": "1pw", "api_token": MASK}
    assert body["source"]["config"]["api_token"] == "ops_tokenvalue123"
    assert r.redact("echo ops_tokenvalue123 back") == f"echo {MASK} back"
