"""Refusing a database on a network file system (fake mount tables, real Database.open)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kapdesk.storage import filesystems
from kapdesk.storage.db import Database
from kapdesk.storage.filesystems import (
    Mount,
    NetworkFileSystem,
    ensure_local_disk,
    mount_of,
    network_mount,
    parse_mount_output,
    parse_mountinfo,
)

LOCAL_ROOT = "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard"


def _line(n: int, point: Path | str, fs: str, source: str = "server:/export") -> str:
    escaped = str(point).replace(" ", "\\040")
    return f"{n} 22 0:{n} / {escaped} rw,relatime shared:{n} - {fs} {source} rw,vers=4.2"


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    return folder.resolve()


def _mountinfo(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "mountinfo"
    path.write_text("\n".join((LOCAL_ROOT, *lines)) + "\n")
    return path


def test_parse_mountinfo_reads_type_source_and_escaped_mount_points() -> None:
    text = "\n".join(
        (
            LOCAL_ROOT,
            _line(40, "/mnt/clinic share", "nfs4", "nas:/clinic"),
            "garbage line without separator",
            _line(41, "/home/a/remote", "fuse.sshfs", "alice@host:/srv"),
        )
    )
    assert parse_mountinfo(text) == [
        Mount("/", "ext4", "/dev/vda"),
        Mount("/mnt/clinic share", "nfs4", "nas:/clinic"),
        Mount("/home/a/remote", "fuse.sshfs", "alice@host:/srv"),
    ]


@pytest.mark.parametrize(
    "fs_type", ["nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "afs", "ceph"]
)
def test_a_database_on_a_network_mount_is_refused_with_an_explanation(
    tmp_path: Path, share: Path, fs_type: str
) -> None:
    info = _mountinfo(tmp_path, _line(40, share, fs_type))
    db_path = share / "clinic" / "kapdesk.sqlite"
    with pytest.raises(NetworkFileSystem) as exc:
        ensure_local_disk(db_path, platform="linux", mountinfo=info)
    message = str(exc.value)
    assert message.startswith(
        f"kapdesk.sqlite is on a network file system ({fs_type} at {share}); "
        "SQLite's locking is not safe there – keep the database on this computer's own disk"
    )
    assert exc.value.mount.fs_type == fs_type


@pytest.mark.parametrize("fs_type", ["ext4", "btrfs", "xfs", "apfs", "tmpfs", "fuse.gocryptfs"])
def test_local_file_systems_are_allowed(tmp_path: Path, share: Path, fs_type: str) -> None:
    info = _mountinfo(tmp_path, _line(40, share, fs_type))
    ensure_local_disk(share / "kapdesk.sqlite", platform="linux", mountinfo=info)


def test_the_innermost_mount_decides(tmp_path: Path, share: Path) -> None:
    local_inside = share / "local"
    local_inside.mkdir()
    sibling = share.with_name("share2")
    sibling.mkdir()
    info = _mountinfo(
        tmp_path,
        _line(40, share, "nfs4"),
        _line(41, local_inside, "ext4", "/dev/sdb1"),
        _line(42, sibling, "ext4", "/dev/sdc1"),
    )
    ensure_local_disk(local_inside / "kapdesk.sqlite", platform="linux", mountinfo=info)
    # /share2 starts with the text "/share" but is not inside it
    ensure_local_disk(sibling / "kapdesk.sqlite", platform="linux", mountinfo=info)
    with pytest.raises(NetworkFileSystem):
        ensure_local_disk(share / "kapdesk.sqlite", platform="linux", mountinfo=info)


def test_a_later_mount_on_the_same_point_hides_the_earlier(tmp_path: Path, share: Path) -> None:
    over_local = _mountinfo(tmp_path, _line(40, share, "cifs"), _line(41, share, "ext4"))
    ensure_local_disk(share / "db.sqlite", platform="linux", mountinfo=over_local)
    over_remote = _mountinfo(tmp_path, _line(40, share, "ext4"), _line(41, share, "cifs"))
    with pytest.raises(NetworkFileSystem):
        ensure_local_disk(share / "db.sqlite", platform="linux", mountinfo=over_remote)


def test_symlinks_are_followed_to_the_real_mount(tmp_path: Path, share: Path) -> None:
    link = tmp_path / "looks-local"
    link.symlink_to(share, target_is_directory=True)
    info = _mountinfo(tmp_path, _line(40, share, "nfs4"))
    assert network_mount(link / "kapdesk.sqlite", platform="linux", mountinfo=info) == Mount(
        str(share), "nfs4", "server:/export"
    )


def test_an_unreadable_mount_table_does_not_lock_the_clinic_out(tmp_path: Path) -> None:
    missing = tmp_path / "no-mountinfo"
    ensure_local_disk(tmp_path / "kapdesk.sqlite", platform="linux", mountinfo=missing)


ONLY_LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mountinfo")


@ONLY_LINUX
def test_database_open_refuses_before_creating_anything(
    tmp_path: Path, share: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(filesystems, "MOUNTINFO", _mountinfo(tmp_path, _line(40, share, "nfs4")))
    db_path = share / "kapdesk.sqlite"
    with pytest.raises(NetworkFileSystem, match=r"network file system \(nfs4 at "):
        Database.open(db_path)
    assert list(share.iterdir()) == []


@ONLY_LINUX
def test_database_open_refuses_an_existing_database_on_a_share(
    tmp_path: Path, share: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = share / "kapdesk.sqlite"
    Database.open(db_path).close()
    before = db_path.read_bytes()
    monkeypatch.setattr(filesystems, "MOUNTINFO", _mountinfo(tmp_path, _line(40, share, "cifs")))
    with pytest.raises(NetworkFileSystem):
        Database.open(db_path)
    assert db_path.read_bytes() == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/mountinfo")
def test_this_machines_temporary_folder_is_local(tmp_path: Path) -> None:
    ensure_local_disk(tmp_path / "kapdesk.sqlite")
    assert mount_of(tmp_path, parse_mountinfo(Path("/proc/self/mountinfo").read_text()))


# --- macOS / BSD: the output of `mount` -------------------------------------------------------

MAC_MOUNT = """\
/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse)
//alice@nas.local/Clinic on /Volumes/Clinic (smbfs, nodev, nosuid, mounted by alice)
nas:/export on /Volumes/NFS Share (nfs, asynchronous, nodev, nosuid)
"""


def test_parse_mount_output() -> None:
    assert parse_mount_output(MAC_MOUNT)[2:] == [
        Mount("/Volumes/Clinic", "smbfs", "//alice@nas.local/Clinic"),
        Mount("/Volumes/NFS Share", "nfs", "nas:/export"),
    ]


def test_macos_uses_the_mount_command(
    tmp_path: Path, share: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = MAC_MOUNT + f"//bob@server/x on {share} (smbfs, nodev)\n"

    def fake_run(*args: object, **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(["mount"], 0, stdout=output, stderr="")

    monkeypatch.setattr(filesystems.subprocess, "run", fake_run)
    with pytest.raises(NetworkFileSystem, match=r"\(smbfs at "):
        ensure_local_disk(share / "kapdesk.sqlite", platform="darwin")
    ensure_local_disk(tmp_path / "kapdesk.sqlite", platform="darwin")


@pytest.mark.skipif(sys.platform != "win32", reason="Windows drive types")
def test_windows_unc_paths_are_remote() -> None:  # pragma: no cover - Windows only
    with pytest.raises(NetworkFileSystem):
        ensure_local_disk(Path(r"\\server\share\kapdesk.sqlite"))
