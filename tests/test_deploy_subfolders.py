"""Sub-folders and raw items are first-class in plan, install, drift, backups, uninstall and restore: an app
exported from Sumo with sub-folders (the synthetic Edge Firewall export, shaped like a real firewall app's: two
sub-folders holding six saved searches, five dashboards) installs whole, plans as unchanged, and each nested item
is updated in place through its own API."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import synthetic_exports
from helpers import edit
from reference import needs_reference, reference_path

from appbuilder.commands.export import run_export_file
from appbuilder.commands.install import InstallOutcome, run_install
from appbuilder.commands.plan import run_plan
from appbuilder.commands.restore import run_restore
from appbuilder.commands.uninstall import run_uninstall
from appbuilder.deploy.changes import CREATE, DELETE, DRIFTED, NOOP, RECORD, UPDATE, Plan
from appbuilder.deploy.session import DeployOptions
from appbuilder.deploy.testing import count_calls, without_lock
from appbuilder.fakesumo.state import ContentItem
from appbuilder.fakesumo.virtual import VirtualSumo

FOLDER = "Edge Firewall"
ALERTS, PARSERS = "Edge Alerts", "Edge Parsers"
UDP = "Suspicious Traffic - UDP 443"
CLASSIC = {"type": "DashboardSyncDefinition", "name": "Classic Overview", "description": "a classic dashboard",
           "detailLevel": 2, "properties": "{}", "panels": [], "filters": []}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`appbuilder export --file` of the synthetic Edge Firewall export, made once."""
    where = tmp_path_factory.mktemp("export")
    out = where / "edge"
    outcome = run_export_file(synthetic_exports.write("edge_firewall", where), out, {})
    assert outcome.error is None, (outcome.error, outcome.hint)
    return out


@needs_reference("exports", "Fortigate_Firewall.json")
def test_the_synthetic_export_has_the_tree_of_a_real_firewall_app() -> None:
    """The premise of these tests, where the reference data is: a real firewall app export has the same tree
    (two sub-folders of two and four saved searches, five dashboards and one saved search at the top)."""
    def tree_of(node: dict[str, Any]) -> list[Any]:
        return sorted((child["type"], tree_of(child)) for child in node.get("children", []))

    real = json.loads(reference_path("exports", "Fortigate_Firewall.json").read_text(encoding="utf-8"))
    assert tree_of(real) == tree_of(synthetic_exports.edge_firewall())


@pytest.fixture()
def full_app(exported: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(exported, tmp_path / "edge"))


@pytest.fixture()
def app(full_app: Path) -> Path:
    """The export without its dashboards (the tests of nested items need only the saved searches; validating
    dashboards' queries on every plan would make them slow)."""
    manifest = full_app / "app.yaml"
    text = re.sub(r"dashboards:\n(  - .*\n)+", "", manifest.read_text(encoding="utf-8"))
    manifest.write_text(re.sub(r"  - dashboard: .*\n", "", text), encoding="utf-8")
    shutil.rmtree(full_app / "dashboards")
    return full_app


def options(sumo: VirtualSumo) -> DeployOptions:
    return DeployOptions(access_id=sumo.access_id, access_key=sumo.access_key, base_url=sumo.base_url,
                         client_options=sumo.client_options())


def install(app: Path, sumo: VirtualSumo, tmp_path: Path, **kwargs: object) -> InstallOutcome:
    outcome = run_install(app, {}, options(sumo), backup_root=tmp_path / "backups", **kwargs)  # type: ignore[arg-type]
    assert outcome.ok, (outcome.error, outcome.hint, [d.message for d in outcome.diagnostics if d.is_error])
    return outcome


def plan(app: Path, sumo: VirtualSumo) -> Plan:
    outcome = run_plan(app, {}, options(sumo))
    assert outcome.ok and outcome.plan is not None, (outcome.error, outcome.hint)
    return outcome.plan


def at(sumo: VirtualSumo, *names: str) -> ContentItem | None:
    return sumo.fake.state.find_by_path("/".join([f"/Library/Users/{sumo.fake.user_email}", FOLDER, *names]))


def tree(sumo: VirtualSumo) -> dict[str, tuple[str, int]]:
    """Every item under the app folder: path → (content id, modifiedAt)."""
    state = sumo.fake.state
    out: dict[str, tuple[str, int]] = {}

    def walk(item: ContentItem, path: str) -> None:
        for child_id in item.children:
            child = state.items[child_id]
            here = f"{path}/{child.name}" if path else child.name
            out[here] = (child.id, child.modified_at)
            walk(child, here)

    root = at(sumo)
    assert root is not None
    walk(root, "")
    return out


def changed(plan: Plan) -> list[tuple[str, str, str]]:
    return [(c.kind, c.identity, c.action) for c in plan.changes if c.action != NOOP]


def test_exported_app_installs_with_its_subfolders_and_plans_as_unchanged(full_app: Path, virtual_sumo: VirtualSumo,
                                                                         tmp_path: Path) -> None:
    app = full_app
    first = plan(app, virtual_sumo)
    creates = {(c.kind, c.identity) for c in first.changes if c.action == CREATE}
    assert ("sub-folder", ALERTS) in creates and ("saved search", f"{PARSERS}/Edge Parser - VPN") in creates
    install(app, virtual_sumo, tmp_path)
    installed = tree(virtual_sumo)
    assert {p for p in installed if p.startswith(f"{ALERTS}/") or p.startswith(f"{PARSERS}/")} == {
        f"{ALERTS}/{UDP}", f"{ALERTS}/Suspicious Traffic: Country Mismatch",
        f"{PARSERS}/Edge Parser - Event::User", f"{PARSERS}/Edge Parser - Everything",
        f"{PARSERS}/Edge Parser - Traffic", f"{PARSERS}/Edge Parser - VPN"}
    assert len(installed) == 14  # 2 sub-folders, 6 nested saved searches, 5 dashboards, 1 saved search

    again = plan(app, virtual_sumo)
    assert not again.changed and changed(again) == []
    assert {c.identity for c in again.changes if c.kind == "saved search"} >= {f"{ALERTS}/{UDP}"}
    virtual_sumo.fake.reset_log()
    assert install(app, virtual_sumo, tmp_path).steps == []
    assert count_calls(virtual_sumo.fake.requests)["writes"] == 0
    reads = [r.path for r in virtual_sumo.fake.requests]
    assert not [p for p in reads if "/export" in p]  # the marker's state covers the sub-folders: no export
    assert sum(1 for p in reads if p.startswith("/api/v2/content/folders/") and "personal" not in p) == 3
    # and with the export compared (not only the folder marker): still no change
    verified = run_plan(app, {}, DeployOptions(**{**options(virtual_sumo).__dict__, "verify": True}))
    assert verified.plan is not None and changed(verified.plan) == []

    # a dashboard moved into a sub-folder: updated through the Dashboards API there, same ids
    events = "Edge Firewall - Events"
    before = at(virtual_sumo, events)
    assert before is not None
    ids = (before.id, before.dashboard_id)
    edit(app / "app.yaml", "  - dashboard: dashboards/events.yaml\n", "")
    edit(app / "app.yaml", "      - savedSearch: suspicious_traffic_udp_443\n",
         "      - savedSearch: suspicious_traffic_udp_443\n      - dashboard: dashboards/events.yaml\n")
    moved = [c for c in plan(app, virtual_sumo).changes if c.action == UPDATE]
    assert [(c.kind, c.identity, c.renamed_from) for c in moved] == [("dashboard", f"{ALERTS}/{events}", events)]
    install(app, virtual_sumo, tmp_path)
    now = at(virtual_sumo, ALERTS, events)
    assert now is not None and (now.id, now.dashboard_id) == ids and at(virtual_sumo, events) is None
    assert changed(plan(app, virtual_sumo)) == []


def test_one_nested_saved_search_is_updated_in_place_and_nothing_else_is_written(app: Path,
                                                                                virtual_sumo: VirtualSumo,
                                                                                tmp_path: Path) -> None:
    install(app, virtual_sumo, tmp_path)
    before = tree(virtual_sumo)
    edit(app / "queries.yaml", "(_sourceCategory=*edge* !(vpn))", "(_sourceCategory=*edge* !(vpn) !(ipsec))")
    planned = plan(app, virtual_sumo)
    assert changed(planned) == [("folder", FOLDER, RECORD), ("saved search", f"{ALERTS}/{UDP}", UPDATE)]
    change = next(c for c in planned.changes if c.action == UPDATE)
    assert any("!(ipsec)" in str(f.new) and "!(ipsec)" not in str(f.old) for f in change.changes)

    virtual_sumo.fake.reset_log()
    outcome = install(app, virtual_sumo, tmp_path)
    writes = [(r.method, r.path) for r in without_lock(virtual_sumo.fake.requests)
              if r.method in ("POST", "PUT", "DELETE") and not r.path.endswith("/export")]
    assert len(writes) == 2 and writes[0] == ("PUT", f"/api/v1/logSearches/{before[f'{ALERTS}/{UDP}'][0]}"), writes
    after = tree(virtual_sumo)
    assert after[f"{ALERTS}/{UDP}"][0] == before[f"{ALERTS}/{UDP}"][0]  # same id
    assert {p: v for p, v in after.items() if p != f"{ALERTS}/{UDP}"} == \
        {p: v for p, v in before.items() if p != f"{ALERTS}/{UDP}"}  # nothing else touched
    saved = at(virtual_sumo, ALERTS, UDP)
    assert saved is not None and "!(ipsec)" in json.dumps(saved.definition)
    assert outcome.backup is not None  # what was overwritten was saved first
    backed_up = json.loads((outcome.backup / "content.json").read_text())
    alerts = next(c for c in backed_up["children"] if c["name"] == ALERTS)
    assert "!(ipsec)" not in json.dumps(alerts) and len(alerts["children"]) == 2
    assert changed(plan(app, virtual_sumo)) == []

    restored = run_restore(outcome.backup, options(virtual_sumo), backup_root=tmp_path / "backups")
    assert restored.ok and restored.plan is not None, (restored.error, restored.hint)
    assert [c[1:] for c in changed(restored.plan) if c[0] != "folder"] == [(f"{ALERTS}/{UDP}", UPDATE)]
    back = at(virtual_sumo, ALERTS, UDP)
    assert back is not None and back.id == before[f"{ALERTS}/{UDP}"][0]  # restored in place
    assert "!(ipsec)" not in json.dumps(back.definition)


def test_an_edit_in_sumo_inside_a_subfolder_is_drift(app: Path, virtual_sumo: VirtualSumo, tmp_path: Path) -> None:
    install(app, virtual_sumo, tmp_path)
    edit(app / "queries.yaml", "(_sourceCategory=*edge* !(vpn))", "(_sourceCategory=*edge*)")
    saved = run_plan(app, {}, options(virtual_sumo), out=tmp_path / "plan.json")
    assert saved.ok
    nested = at(virtual_sumo, PARSERS, "Edge Parser - VPN")
    assert nested is not None
    with virtual_sumo.client() as client:
        body = client.get(f"/v1/logSearches/{nested.id}")
        client.put(f"/v1/logSearches/{nested.id}", {**body, "description": "edited in the UI"})
    stale = run_install(app, {}, options(virtual_sumo), plan_file=tmp_path / "plan.json",
                        backup_root=tmp_path / "backups")
    assert stale.error and "changed since the plan was made" in stale.error  # a nested edit makes it stale
    planned = plan(app, virtual_sumo)
    assert ("saved search", f"{PARSERS}/Edge Parser - VPN", DRIFTED) in changed(planned)
    refused = run_install(app, {}, options(virtual_sumo), backup_root=tmp_path / "backups")
    assert refused.error and "changed in Sumo" in refused.error


def test_uninstall_and_restore_bring_the_nested_tree_back(app: Path, virtual_sumo: VirtualSumo,
                                                          tmp_path: Path) -> None:
    install(app, virtual_sumo, tmp_path)
    before = tree(virtual_sumo)
    gone = run_uninstall(app, {}, options(virtual_sumo), backup_root=tmp_path / "backups")
    assert gone.ok and gone.plan is not None, (gone.error, gone.hint)
    assert ("sub-folder", ALERTS, DELETE) in changed(gone.plan)
    assert at(virtual_sumo) is None
    assert gone.backup is not None
    restored = run_restore(gone.backup, options(virtual_sumo), backup_root=tmp_path / "backups")
    assert restored.ok, (restored.error, restored.hint)
    assert set(tree(virtual_sumo)) == set(before)
    # every item as installed: the backup holds what the marker's install imported, so the restore recorded the
    # children's state too and a plan of the same definition has nothing to do
    assert changed(plan(app, virtual_sumo)) == []


def test_a_subfolder_rename_is_an_explicit_change_that_keeps_every_id(app: Path, virtual_sumo: VirtualSumo,
                                                                      tmp_path: Path) -> None:
    install(app, virtual_sumo, tmp_path)
    before = tree(virtual_sumo)
    edit(app / "app.yaml", f"folder: {ALERTS}", "folder: Edge Alarms")
    planned = plan(app, virtual_sumo)
    assert changed(planned) == [("folder", FOLDER, RECORD), ("sub-folder", "Edge Alarms", UPDATE)]
    rename = next(c for c in planned.changes if c.action == UPDATE)
    assert rename.renamed_from == ALERTS
    virtual_sumo.fake.reset_log()
    outcome = install(app, virtual_sumo, tmp_path)
    assert count_calls(without_lock(virtual_sumo.fake.requests))["writes"] == 2  # the sub-folder, the marker
    assert f"renamed sub-folder {ALERTS!r} to 'Edge Alarms' (same ids)" in outcome.steps
    after = tree(virtual_sumo)
    assert after[f"Edge Alarms/{UDP}"][0] == before[f"{ALERTS}/{UDP}"][0]
    assert after["Edge Alarms"][0] == before[ALERTS][0]
    assert changed(plan(app, virtual_sumo)) == []


def test_a_raw_item_in_a_subfolder_is_reimported_when_changed_after_a_backup(app: Path, virtual_sumo: VirtualSumo,
                                                                            tmp_path: Path) -> None:
    (app / "raw").mkdir()
    (app / "raw" / "classic.json").write_text(json.dumps(CLASSIC))
    edit(app / "app.yaml", "      - savedSearch: edge_parser_vpn\n",
         "      - savedSearch: edge_parser_vpn\n      - raw: raw/classic.json\n")
    install(app, virtual_sumo, tmp_path)
    classic = at(virtual_sumo, PARSERS, "Classic Overview")
    assert classic is not None and classic.definition == CLASSIC
    assert changed(plan(app, virtual_sumo)) == []

    (app / "raw" / "classic.json").write_text(json.dumps({**CLASSIC, "description": "changed"}))
    planned = plan(app, virtual_sumo)
    assert [c[:3] for c in changed(planned)] == [("folder", FOLDER, RECORD),
                                                 ("raw item", f"{PARSERS}/Classic Overview", UPDATE)]
    change = next(c for c in planned.changes if c.action == UPDATE)
    assert "content import job" in change.note
    outcome = install(app, virtual_sumo, tmp_path)
    now = at(virtual_sumo, PARSERS, "Classic Overview")
    assert now is not None and now.definition["description"] == "changed"
    assert outcome.backup is not None and "a classic dashboard" in (outcome.backup / "content.json").read_text()
    assert changed(plan(app, virtual_sumo)) == []


def test_a_subfolder_removed_from_the_app_is_deleted_and_what_moved_out_keeps_its_ids(
        app: Path, virtual_sumo: VirtualSumo, tmp_path: Path) -> None:
    install(app, virtual_sumo, tmp_path)
    before = tree(virtual_sumo)
    # without its folder entry, the parsers are placed in the app folder itself (unplaced saved searches are)
    edit(app / "app.yaml", f"  - folder: {PARSERS}\n    contents:\n", "")
    for stem in ("event_user", "everything", "traffic", "vpn"):
        edit(app / "app.yaml", f"      - savedSearch: edge_parser_{stem}\n", "")
    planned = plan(app, virtual_sumo)
    moves = {c.identity: c.renamed_from for c in planned.changes if c.action == UPDATE}
    assert moves == {f"Edge Parser - {n}": f"{PARSERS}/Edge Parser - {n}"
                     for n in ("Event::User", "Everything", "Traffic", "VPN")}
    assert ("sub-folder", PARSERS, DELETE) in changed(planned)
    outcome = install(app, virtual_sumo, tmp_path)
    after = tree(virtual_sumo)
    assert PARSERS not in after
    for name in ("Event::User", "Everything", "Traffic", "VPN"):
        assert after[f"Edge Parser - {name}"][0] == before[f"{PARSERS}/Edge Parser - {name}"][0]
    assert outcome.backup is not None
    backed_up = json.loads((outcome.backup / "content.json").read_text())
    assert len(next(c for c in backed_up["children"] if c["name"] == PARSERS)["children"]) == 4
    assert changed(plan(app, virtual_sumo)) == []


def test_a_subfolder_removed_in_sumo_is_drift_and_force_creates_it_with_what_it_holds(
        app: Path, virtual_sumo: VirtualSumo, tmp_path: Path) -> None:
    install(app, virtual_sumo, tmp_path)
    parsers = at(virtual_sumo, PARSERS)
    assert parsers is not None
    virtual_sumo.fake.state.delete(parsers)
    planned = plan(app, virtual_sumo)
    assert ("sub-folder", PARSERS, DRIFTED) in changed(planned)
    assert ("saved search", f"{PARSERS}/Edge Parser - VPN", DRIFTED) in changed(planned)
    virtual_sumo.fake.reset_log()
    outcome = install(app, virtual_sumo, tmp_path, force=True)
    creates = [(r.method, r.path) for r in without_lock(virtual_sumo.fake.requests)
               if r.method == "POST" and not r.path.endswith("/export")]
    assert creates[0] == ("POST", "/api/v2/content/folders")  # the folder first, then what it holds
    assert creates[1:] == [("POST", "/api/v1/logSearches")] * 4
    assert f"created sub-folder {PARSERS!r}" in " ".join(outcome.steps)
    assert {p for p in tree(virtual_sumo) if p.startswith(f"{PARSERS}/")} == {
        f"{PARSERS}/Edge Parser - {n}" for n in ("Event::User", "Everything", "Traffic", "VPN")}
    assert changed(plan(app, virtual_sumo)) == []


def test_a_new_folder_one_level_deeper_is_created_before_what_moves_or_is_imported_into_it(
        app: Path, virtual_sumo: VirtualSumo, tmp_path: Path) -> None:
    install(app, virtual_sumo, tmp_path)
    vpn_id = tree(virtual_sumo)[f"{PARSERS}/Edge Parser - VPN"][0]
    (app / "raw").mkdir()
    (app / "raw" / "classic.json").write_text(json.dumps(CLASSIC))
    edit(app / "app.yaml", "      - savedSearch: edge_parser_vpn\n",
         "      - folder: Legacy\n        contents:\n          - savedSearch: edge_parser_vpn\n"
         "          - raw: raw/classic.json\n")
    planned = plan(app, virtual_sumo)
    legacy = f"{PARSERS}/Legacy"
    assert [c for c in changed(planned) if c[0] != "folder"] == [
        ("sub-folder", legacy, CREATE), ("saved search", f"{legacy}/Edge Parser - VPN", UPDATE),
        ("raw item", f"{legacy}/Classic Overview", CREATE)]
    virtual_sumo.fake.reset_log()
    install(app, virtual_sumo, tmp_path)
    writes = [r.path.split("?")[0] for r in without_lock(virtual_sumo.fake.requests)
              if r.method in ("POST", "PUT") and not r.path.endswith("/export")]
    assert writes[:3] == ["/api/v2/content/folders", f"/api/v2/content/{vpn_id}/move", f"/api/v1/logSearches/{vpn_id}"]
    after = tree(virtual_sumo)
    assert after[f"{legacy}/Edge Parser - VPN"][0] == vpn_id and f"{PARSERS}/Edge Parser - VPN" not in after
    assert f"{legacy}/Classic Overview" in after
    assert changed(plan(app, virtual_sumo)) == []


def test_a_subfolder_dropped_with_what_it_holds_is_one_delete(app: Path, virtual_sumo: VirtualSumo,
                                                              tmp_path: Path) -> None:
    install(app, virtual_sumo, tmp_path)
    edit(app / "app.yaml", f"  - folder: {ALERTS}\n    contents:\n      - savedSearch: suspicious_traffic_udp_443\n"
         "      - savedSearch: suspicious_traffic_country_mismatch\n", "")
    for _ in range(2):  # the two alert queries stay queries, not saved searches
        edit(app / "queries.yaml", "    savedSearch: true\n", "    savedSearch: false\n")
    planned = plan(app, virtual_sumo)
    deletes = {c.identity: c.note for c in planned.changes if c.action == DELETE}
    assert set(deletes) == {ALERTS, f"{ALERTS}/{UDP}", f"{ALERTS}/Suspicious Traffic: Country Mismatch"}
    assert "removed with its folder" not in deletes[ALERTS]
    assert "removed with its folder" in deletes[f"{ALERTS}/{UDP}"]
    virtual_sumo.fake.reset_log()
    outcome = install(app, virtual_sumo, tmp_path)
    assert sum(1 for r in without_lock(virtual_sumo.fake.requests) if r.method == "DELETE") == 1  # one job
    assert ALERTS not in tree(virtual_sumo) and outcome.backup is not None
    assert UDP in (outcome.backup / "content.json").read_text()
    assert changed(plan(app, virtual_sumo)) == []
