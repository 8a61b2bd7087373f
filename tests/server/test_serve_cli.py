"""`railwatch serve` rejects a bad store in one line (the server itself is tested through the app)."""


def test_serve_bad_db_is_one_line(cli, tmp_path):
    r = cli("serve", "--db", f"sqlite:///{tmp_path}/no/such/dir/x.db", "--port", "1")
    assert r.code == 2 and r.err.startswith("railwatch: error:") and len(r.err.strip().splitlines()) == 1
