"""A damaged store: each damage is an error naming the path and the problem, or a warning
while the rest of the store keeps working; one bad file never breaks ``list``."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from adapters.local_json import LocalJsonService
from bridge.cli import main
from bridge.errors import CorruptDataError, PermanentError
from tests.local_json.conftest import snapshot

ROOT = Path(__file__).resolve().parents[2]


def _ids(service: LocalJsonService) -> list[str]:
    return [t.id for t in service.iter_tickets()]


def _config(tmp_path: Path, root: Path) -> str:
    config = tmp_path / "tb.toml"
    config.write_text(f'[trackers.local]\ntype = "local_json"\npath = "{root}"\n')
    return str(config)


def test_the_store_path_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "store"
    path.write_text("not a directory")
    with pytest.raises(CorruptDataError, match="is a file, not a directory") as info:
        LocalJsonService(path)
    assert info.value.path == str(path)
    assert main(["--config", _config(tmp_path, path), "list"]) == 1
    assert f"{path} is a file, not a directory" in capsys.readouterr().err
    assert path.read_text() == "not a directory"


def test_the_store_path_is_inside_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(CorruptDataError, match="inside a file"):
        LocalJsonService(tmp_path / "file" / "store")


def test_tickets_is_a_file(tmp_path: Path) -> None:
    root = tmp_path / "store"
    root.mkdir()
    (root / "tickets").write_text("oops")
    with pytest.raises(CorruptDataError, match=r"tickets is a file, not a directory"):
        LocalJsonService(root)


def test_comments_is_a_file(
    populated: tuple[LocalJsonService, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    """Only comments are refused; tickets list, show and update."""
    service, ids = populated
    service.close()
    comments = service.root / "comments"
    for child in comments.iterdir():
        child.unlink()
    comments.rmdir()
    comments.write_text("oops")
    with caplog.at_level(logging.WARNING):
        fresh = LocalJsonService(service.root)
    assert "comments is a file" in caplog.text
    assert _ids(fresh) == ids
    fresh.update_ticket(ids[0], priority="high")
    with pytest.raises(CorruptDataError, match="comments is a file"):
        fresh.add_comment(ids[0], "x")


@pytest.mark.parametrize(
    "damage",
    ["nested", "directory", "fifo", "not-utf8", "not-a-ticket", "nan", "surrogate"],
)
def test_one_bad_file_never_breaks_list(
    populated: tuple[LocalJsonService, list[str]], damage: str
) -> None:
    service, ids = populated
    path = service.root / "tickets" / "BAD-1.json"
    if damage == "nested":
        path.write_text("[" * 100_000 + "]" * 100_000)
    elif damage == "directory":
        path.mkdir()
    elif damage == "fifo":
        os.mkfifo(path)
    elif damage == "not-utf8":
        path.write_bytes(b'{"id": "BAD-1", "title": "\xff\xfe"}')
    elif damage == "not-a-ticket":
        path.write_text("[1, 2, 3]")
    elif damage == "nan":
        path.write_text('{"id": "BAD-1", "title": "t", "metadata": {"x": NaN}}')
    else:
        path.write_text('{"id": "BAD-1", "title": "\\ud800"}')
    before = snapshot(service.root) if damage != "fifo" else None
    fresh = LocalJsonService(service.root)
    page = fresh.list_tickets()
    assert [t.id for t in page] == ids
    assert len(page.problems) == 1
    assert "BAD-1.json" in page.problems[0]
    with pytest.raises(CorruptDataError) as info:
        fresh.get_ticket("BAD-1")
    assert info.value.path == str(path)
    fresh.update_ticket(ids[0], priority="high")
    if before is not None:
        after = snapshot(service.root)
        assert {k: v for k, v in after.items() if ids[0] not in k and ".spare" not in k} == {
            k: v for k, v in before.items() if ids[0] not in k and ".spare" not in k
        }


def test_a_repaired_file_is_listed_again(populated: tuple[LocalJsonService, list[str]]) -> None:
    service, ids = populated
    path = service.root / "tickets" / "BAD-1.json"
    path.mkdir()
    assert len(LocalJsonService(service.root).list_tickets().problems) == 1
    path.rmdir()
    path.write_text('{"id": "BAD-1", "title": "mended"}')
    page = LocalJsonService(service.root).list_tickets()
    assert page.problems == []
    assert [t.id for t in page] == [*ids, "BAD-1"]


def test_a_garbage_index_is_rebuilt(
    populated: tuple[LocalJsonService, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    service, ids = populated
    service.close()
    for suffix in ("-wal", "-shm"):
        (service.root / f"index.sqlite3{suffix}").unlink(missing_ok=True)
    (service.root / "index.sqlite3").write_bytes(b"garbage " * 1000)
    with caplog.at_level(logging.WARNING):
        fresh = LocalJsonService(service.root)
        assert _ids(fresh) == ids
    assert "index" in caplog.text
    assert "rebuilding" in caplog.text
    fresh.create_ticket("after the rebuild")
    assert len(_ids(LocalJsonService(service.root))) == len(ids) + 1


def test_an_index_damaged_in_use_is_rebuilt(
    populated: tuple[LocalJsonService, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    """Damage sqlite finds on a query rather than on opening: rebuilt there."""
    service, ids = populated
    service.close()
    fresh = LocalJsonService(service.root)
    adapter = fresh.adapter
    (service.root / "tickets" / "NEW-1.json").write_text('{"id": "NEW-1", "title": "n"}')

    def broken(*args: object) -> object:
        import sqlite3

        error = sqlite3.DatabaseError("database disk image is malformed")
        error.sqlite_errorcode = sqlite3.SQLITE_CORRUPT
        raise error

    original = type(adapter)._ensure_fresh
    calls = []

    def once(self: object) -> None:
        if not calls:
            calls.append(1)
            self._fresh.trusted = broken  # type: ignore[attr-defined]
            try:
                original(self)  # type: ignore[arg-type]
            finally:
                del self._fresh.trusted  # type: ignore[attr-defined]
            return
        original(self)  # type: ignore[arg-type]

    with caplog.at_level(logging.WARNING):
        type(adapter)._ensure_fresh = once  # type: ignore[method-assign]
        try:
            assert _ids(fresh) == [*ids, "NEW-1"]
        finally:
            type(adapter)._ensure_fresh = original  # type: ignore[method-assign]
    assert "damaged" in caplog.text


def test_lock_is_a_directory(populated: tuple[LocalJsonService, list[str]]) -> None:
    service, ids = populated
    service.close()
    lock = service.root / ".lock"
    lock.unlink()
    lock.mkdir()
    before = snapshot(service.root)
    fresh = LocalJsonService(service.root)
    assert _ids(fresh) == ids
    assert fresh.get_ticket(ids[0]).title == "Ticket 0"
    with pytest.raises(PermanentError, match=r"\.lock is a directory") as info:
        fresh.update_ticket(ids[0], title="refused")
    assert str(lock) in str(info.value)
    assert snapshot(service.root) == before


def test_two_inits_at_once_never_show_a_raw_sqlite_error(tmp_path: Path) -> None:
    """``ticket-bridge init`` started twice on one directory, several times over."""
    for round_no in range(6):
        where = tmp_path / f"r{round_no}"
        where.mkdir()
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "bridge", "init"],
                cwd=where,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            assert "OperationalError" not in err
            assert "Traceback" not in err
        assert LocalJsonService(where / ".tickets").list_tickets() == []


# ---------------------------------------------------------------- permissions, as another user

_AS_NOBODY = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, {root!r})
    from adapters.local_json import LocalJsonService
    from bridge.errors import BridgeError
    result = {{}}
    service = LocalJsonService({store!r})
    page = service.list_tickets()
    result["ids"] = [t.id for t in page]
    result["problems"] = page.problems
    try:
        service.create_ticket("refused")
    except BridgeError as exc:
        result["create"] = str(exc)
    try:
        service.get_ticket("LOCKED-1")
    except BridgeError as exc:
        result["show"] = str(exc)
    print(json.dumps(result))
    """
)


_NO_OVERRIDE = "-dac_override,-dac_read_search"


def _run_as_nobody(store: Path) -> dict[str, object]:
    """Run the check where file permissions hold: as root, with the capabilities that
    override them dropped."""
    import json
    import shutil

    code = _AS_NOBODY.format(root=str(ROOT), store=str(store))
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root, and no setpriv to drop the override of file permissions")
        prefix = ["setpriv", "--bounding-set", _NO_OVERRIDE, "--inh-caps", _NO_OVERRIDE]
    out = subprocess.run(
        [*prefix, sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_a_read_only_store_is_read_and_refuses_writes_clearly() -> None:
    """Seen by a user who may read but not write it; a mode-000 file among the tickets."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        service = LocalJsonService(store)
        ids = [service.create_ticket(f"t{i}").id for i in range(3)]
        service.close()
        locked = store / "tickets" / "LOCKED-1.json"
        locked.write_text('{"id": "LOCKED-1", "title": "secret"}')
        locked.chmod(0)
        for path in [store, *store.rglob("*")]:
            if path != locked and not path.is_symlink():
                mode = path.stat().st_mode
                path.chmod(stat.S_IMODE(mode) & ~0o222 | 0o444 | (0o111 if path.is_dir() else 0))
        before = snapshot_readable(store)
        result = _run_as_nobody(store)
        assert result["ids"] == ids
        assert any("LOCKED-1.json" in str(p) for p in result["problems"])  # type: ignore[attr-defined]
        assert "read-only" in str(result["create"])
        assert str(store) in str(result["create"])
        assert "permission denied" in str(result["show"])
        assert snapshot_readable(store) == before
        for path in [store, *store.rglob("*")]:
            path.chmod(0o755)


def snapshot_readable(root: Path) -> dict[str, bytes]:
    return {
        str(p): p.read_bytes() if os.access(p, os.R_OK) else b"?"
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
