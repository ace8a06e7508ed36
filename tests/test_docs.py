"""`appbuilder docs`: the app's documentation page, deterministic, and docs/apps/1password.md kept current."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import cli_run, edit

from appbuilder.commands.docs import image_links, render_page
from appbuilder.load import load_app

REPO = Path(__file__).resolve().parents[1]
ONEPASSWORD = REPO / "app_definitions" / "1password"
PAGE = REPO / "docs" / "apps" / "1password.md"
IMAGES = REPO / "docs" / "apps" / "images" / "1password"
REGENERATE = ("PYTHONPATH=. python3 -m appbuilder docs app_definitions/1password -o docs/apps/1password.md "
              "--images docs/apps/images/1password")
PNG = b"\x89PNG\r\n\x1a\n"


def test_1password_page_is_current() -> None:
    """The committed page matches its definitions; its pictures are compared by link and kind only (their pixels
    depend on the system's fonts)."""
    app, diagnostics = load_app(ONEPASSWORD)
    assert app is not None, diagnostics
    links = image_links(app, PAGE, IMAGES)
    current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
    assert render_page(app, "app_definitions/1password", links) == current, f"docs page out of date: {REGENERATE}"
    assert sorted(links.values()) == sorted(f"images/1password/{d.slug}.png" for d in app.dashboards)
    for link in links.values():
        assert f"]({link})" in current
        assert (PAGE.parent / link).read_bytes()[:8] == PNG, f"missing picture {link}: {REGENERATE}"


def test_page_sections_follow_the_definition(app_dir: Path) -> None:
    edit(app_dir / "dashboards/main.yaml", "    title: Events by Category\n",
         "    title: Events by Category\n    description: Events | per *category*.\n")
    code, out = cli_run("docs", "app", "-o", "out/mini.md")
    assert code == 0 and out == "wrote out/mini.md\n"
    page = Path("out/mini.md").read_text(encoding="utf-8")
    app, _ = load_app(app_dir)
    assert app is not None
    assert page.startswith("# Minimal\n")
    for heading in ("### Sample log messages", "### Sample queries", "## Collection configuration and app "
                    "installation", "## Viewing the dashboards", "### Minimal - Main"):
        assert f"\n{heading}\n" in page
    assert "**Minimal - All Events** — Every event." in page  # saved searches only: by_type is not one
    assert "by_type" not in page.split("### Sample queries")[1].split("## Collection")[0]
    assert "| Events by Category | pie | Events \\| per \\*category\\*. |" in page
    assert "| About |" not in page  # text panels are not listed
    first_sample = (app_dir / "samples/events.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert first_sample.split(",")[0].split(":")[0].strip("{") in page  # the first event's first key
    assert "appbuilder install app --param source_category=mini" in page  # not in a repository: its name
    assert "## Monitors" not in page
    assert cli_run("docs", "app")[1] == page  # stdout without -o, same bytes


def test_monitors_table_when_the_app_has_monitors(app_dir: Path) -> None:
    @dataclass
    class Trigger:
        level: str
        time_range: str
        threshold: float = 0
        comparison: str = "GreaterThan"
        field: str | None = None

    @dataclass
    class Monitor:
        name: str
        description: str
        triggers: list[Trigger]

    app, _ = load_app(app_dir)
    assert app is not None
    app.monitors = [Monitor("Too many failures", "Failed sign-ins | spike.",  # type: ignore[attr-defined]
                            [Trigger("Critical", "-15m", 10.0), Trigger("MissingData", "-1h")])]
    page = render_page(app, "apps/mini")
    assert page.endswith("| Name | Description | Trigger conditions |\n| --- | --- | --- |\n"
                         "| Too many failures | Failed sign-ins \\| spike. | Critical: results > 10 in the last 15 "
                         "minutes; MissingData: no data in the last 1 hour |\n")


def test_deterministic_and_invalid_app(app_dir: Path) -> None:
    app, _ = load_app(app_dir)
    assert app is not None
    assert render_page(app, "x") == render_page(load_app(app_dir)[0], "x")  # type: ignore[arg-type]
    edit(app_dir / "dashboards/main.yaml", "chart: pie", "chart: piee")
    code, out = cli_run("docs", "app", "-o", "page.md")
    assert code == 1 and "no page written" in out and not Path("page.md").exists()


def test_install_commands_name_the_app_as_it_lies_in_its_repository(tmp_path: Path) -> None:
    import shutil

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    shutil.copytree(Path(__file__).parent / "fixtures" / "minimal", repo / "apps" / "mini")
    code, out = cli_run("docs", str(repo / "apps" / "mini"), "-o", str(tmp_path / "page.md"))
    assert code == 0, out
    page = (tmp_path / "page.md").read_text(encoding="utf-8")
    assert "appbuilder install apps/mini " in page and "app_definitions/" not in page


def test_an_output_under_a_file_names_that_file(app_dir: Path) -> None:
    Path("afile").write_text("", encoding="utf-8")
    code, out = cli_run("docs", "app", "-o", "afile/page.md")
    assert code == 1 and "afile/page.md: error: cannot write a file here: 'afile' is a file" in out


@pytest.fixture
def charts_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.mark.usefixtures("charts_cache")
def test_images_option_draws_and_links_one_picture_per_dashboard(app_dir: Path) -> None:
    plain = cli_run("docs", "app")[1]
    code, out = cli_run("docs", "app", "-o", "out/mini.md", "--images", "out/pictures/mini")
    assert code == 0 and out == "wrote 1 image(s) in out/pictures/mini\nwrote out/mini.md\n"
    page = Path("out/mini.md").read_text(encoding="utf-8")
    assert page.replace("![Minimal - Main](pictures/mini/main.png)\n\n", "") == plain  # nothing else changes
    assert "### Minimal - Main\n\n![Minimal - Main](pictures/mini/main.png)\n\n" in page
    assert Path("out/pictures/mini/main.png").read_bytes()[:8] == PNG
    code, again = cli_run("docs", "app", "--images", "elsewhere")  # page on stdout, links from the current directory
    assert code == 0 and again == "wrote 1 image(s) in elsewhere\n" + page.replace("](pictures/mini/", "](elsewhere/")
    assert cli_run("docs", "app", "-o", "out/mini.md", "--images", "out/pictures/mini")[0] == 0
    assert Path("out/mini.md").read_text(encoding="utf-8") == page  # deterministic


@pytest.mark.usefixtures("charts_cache")
def test_images_directory_that_is_a_file_is_named(app_dir: Path) -> None:
    Path("afile").write_text("", encoding="utf-8")
    code, out = cli_run("docs", "app", "-o", "page.md", "--images", "afile")
    assert code == 1 and "afile: error: cannot write a directory here: 'afile' is a file" in out
    assert not Path("page.md").exists()


def test_1password_sample_queries_run_as_written() -> None:
    """Sumo's search takes them as printed: no ${param} or {{var}} left, and each returns the saved search's
    rows on the samples."""
    from appbuilder.commands.sample_runner import SampleRunner
    from appbuilder.query.parser import parse

    app, _ = load_app(ONEPASSWORD)
    assert app is not None
    page = render_page(app, "app_definitions/1password")
    blocks = [b.split("```")[0] for b in page.split("### Sample queries\n", 1)[1].split("\n## ", 1)[0]
              .split("```sql\n")[1:]]
    assert len(blocks) == len(app.saved_searches) == 4
    runner = SampleRunner(app, {}, {})
    for block, query in zip(blocks, app.saved_searches, strict=True):
        assert "${" not in block and "{{" not in block, block
        assert block.startswith("_sourceCategory=1pw\n") and not parse(block).issues
        assert "matches \"*\"" in block  # the filter line, at its defaults
        expected, _, _ = runner.run(f"query:{query.id}", runner.targets()[f"query:{query.id}"], {})
        assert expected is not None and expected.rows
        assert runner.evaluator.run(block, now=runner.now, time_range=query.time_range).rows == expected.rows


def test_docs_param_resolves_queries_and_install_commands() -> None:
    code, page = cli_run("docs", str(ONEPASSWORD), "--param", "source_category=security/1password",
                         "--param", "events_region=events.1password.eu")
    assert code == 0
    assert page.count("```sql\n_sourceCategory=security/1password\n") == 4
    assert ("appbuilder install app_definitions/1password --param source_category=security/1password "
            "--param events_region=events.1password.eu\n") in page
    assert "this app takes it from the install parameter `events_region` (here `events.1password.eu`)" in page
    code, out = cli_run("docs", str(ONEPASSWORD), "--param", "events_region=events.example.com")
    assert code == 1 and "does not match its pattern" in out and "no page written" in out


def test_1password_page_has_the_collection_set_up() -> None:
    page = PAGE.read_text(encoding="utf-8")
    setup = page.split("## Collection configuration and app installation\n", 1)[1].split("\n## ", 1)[0]
    assert "1. **Issue an Events Reporting token in 1Password.**" in setup
    assert "environment variable `ONEPASSWORD_EVENTS_TOKEN`" in setup
    for account, host in [("1password.com", "events.1password.com"), ("ent.1password.com", "events.ent.1password.com"),
                          ("1password.ca", "events.1password.ca"), ("1password.eu", "events.1password.eu")]:
        assert f"   | {account} | `{host}` |\n" in setup
    assert ("[Cloud-to-Cloud 1Password source](https://help.sumologic.com/docs/send-data/hosted-collectors/"
            "cloud-to-cloud-integration-framework/1password-source/)") in setup
    assert "the value of the parameter `audit_events_api`, empty here: not collected" in setup
