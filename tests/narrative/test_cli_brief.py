import scenarios
from test_brief import FORBIDDEN

from railwatch import store


def _fill(db_url):
    db = store.open(db_url)
    scenarios.fill_store(db, scenarios.crossing() + scenarios.returning())
    db.close()


def test_brief_to_file(cli, db_url, tmp_path):
    _fill(db_url)
    path = tmp_path / "brief.md"
    r = cli(
        "brief",
        "--site",
        "friendship-bridge",
        "--from",
        "2022-11-04",
        "--to",
        "2022-11-05",
        "--out",
        path,
        "--db",
        db_url,
    )
    assert r.code == 0, r.err
    text = path.read_text()
    for phrase in (
        "three-car set of enclosed railcars",
        "light blue, dark blue, red-brown",
        "behind a locomotive",
        "about 200 m",
        "Vladivostok time",
        "three smaller covered cars",
    ):
        assert phrase in text, phrase
    assert "2022-11-04 to 2022-11-05" in text
    assert FORBIDDEN.search(text) is None
    assert list(tmp_path.glob(".brief-*")) == []


def test_brief_to_stdout_for_the_return(cli, db_url):
    _fill(db_url)
    r = cli("brief", "--site", "tumangang", "--from", "2022-11-29", "--to", "2022-11-30", "--db", db_url)
    assert r.code == 0, r.err
    assert "eight-car train" in r.out and "without its locomotive" in r.out
    assert "three-car set of enclosed" not in r.out


def test_brief_bad_input(cli, db_url, tmp_path):
    _fill(db_url)
    r = cli("brief", "--site", "nowhere", "--db", db_url)
    assert r.code == 2 and "nowhere" in r.err
    r = cli("brief", "--out", tmp_path / "no" / "dir" / "b.md", "--db", db_url)
    assert r.code == 2 and "does not exist" in r.err
    r = cli("brief", "--to", "2022-13-01", "--db", db_url)
    assert r.code == 2 and "--to" in r.err
