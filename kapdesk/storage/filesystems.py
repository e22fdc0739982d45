"""Refuse to keep the live database on a network file system.

SQLite relies on POSIX advisory locks (or Windows file locks) and, in WAL
mode, on shared memory; over NFS, SMB/CIFS, sshfs and their kind these are
missing or broken, and two computers writing the same file corrupt it
("How To Corrupt An SQLite Database File", sqlite.org, section 2.1).
:func:`ensure_local_disk` raises :class:`NetworkFileSystem` before anything
opens such a file.

How the file system is found, per platform:

* Linux: the mount containing the file in ``/proc/self/mountinfo`` (longest
  mount point that is a prefix of the resolved path; the last such line wins,
  as later mounts hide earlier ones) and its type.
* macOS and the BSDs: the same from the output of ``mount`` ("SOURCE on
  MOUNTPOINT (TYPE, options)").
* Windows: ``GetDriveTypeW`` of the path's drive or UNC share
  (``DRIVE_REMOTE``), and any ``\\\\server\\share`` path.
* Anywhere the answer cannot be found, the file is allowed (the check is a
  safety net for a known hazard, not a gate that could lock a clinic out).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from kapdesk.storage.errors import StorageError

MOUNTINFO = Path("/proc/self/mountinfo")

# Kernel file system type names (Linux mountinfo, macOS mount) of network and
# cluster file systems. "fuse.X" names come from FUSE daemons such as sshfs.
NETWORK_FS_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "afpfs",
        "webdav",
        "davfs",
        "ncpfs",
        "afs",
        "coda",
        "9p",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "ocfs2",
        "gfs2",
        "beegfs",
        "sshfs",
        "fuse.sshfs",
        "fuse.rclone",
        "fuse.s3fs",
        "fuse.gcsfuse",
        "fuse.glusterfs",
        "fuse.ceph",
        "fuse.cephfs",
        "fuse.davfs2",
        "fuse.smbnetfs",
        "fuse.curlftpfs",
        "fuse.juicefs",
    }
)


@dataclass(frozen=True)
class Mount:
    mount_point: str
    fs_type: str
    source: str

    @property
    def is_network(self) -> bool:
        return self.fs_type.lower() in NETWORK_FS_TYPES


class NetworkFileSystem(StorageError):
    def __init__(self, path: Path, mount: Mount) -> None:
        self.path = path
        self.mount = mount
        super().__init__(
            f"{path.name} is on a network file system ({mount.fs_type} at {mount.mount_point}); "
            "SQLite's locking is not safe there – keep the database on this computer's own "
            f"disk (the full path is {path})."
        )


def _unescape(field: str) -> str:
    # mountinfo writes space, tab, newline and backslash as octal escapes.
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def parse_mountinfo(text: str) -> list[Mount]:
    """The mounts in ``/proc/self/mountinfo`` text, in file order; bad lines are skipped."""
    mounts = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if not sep or len(fields) < 5 or len(tail) < 2:
            continue
        mounts.append(Mount(_unescape(fields[4]), tail[0], _unescape(tail[1])))
    return mounts


_MOUNT_LINE = re.compile(r"^(?P<source>.+?) on (?P<point>.+) \((?P<type>[^,)]+)[^)]*\)\s*$")


def parse_mount_output(text: str) -> list[Mount]:
    """The mounts in the output of BSD/macOS ``mount``."""
    mounts = []
    for line in text.splitlines():
        match = _MOUNT_LINE.match(line)
        if match:
            mounts.append(Mount(match["point"], match["type"].strip(), match["source"]))
    return mounts


def _existing(path: Path) -> Path:
    """``path`` resolved, or its nearest existing folder (a new database has no file yet)."""
    path = Path(os.path.abspath(path))
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate.resolve()
    return path


def _within(path: str, mount_point: str) -> bool:
    if mount_point == "/":
        return True
    return path == mount_point or path.startswith(mount_point.rstrip("/") + "/")


def mount_of(path: Path, mounts: list[Mount]) -> Mount | None:
    """The mount holding ``path``: longest matching mount point, later lines winning ties."""
    target = str(_existing(path))
    best: Mount | None = None
    for mount in mounts:
        if _within(target, mount.mount_point) and (
            best is None or len(mount.mount_point) >= len(best.mount_point)
        ):
            best = mount
    return best


def _unix_mounts(platform: str, mountinfo: Path) -> list[Mount]:
    try:
        if platform.startswith("linux"):
            return parse_mountinfo(mountinfo.read_text(encoding="utf-8", errors="replace"))
        out = subprocess.run(
            ["mount"], capture_output=True, text=True, timeout=5, check=True
        ).stdout
        return parse_mount_output(out)
    except (OSError, subprocess.SubprocessError):
        return []


def _windows_remote(path: Path) -> Mount | None:  # pragma: no cover - Windows only
    text = os.path.abspath(path)
    drive = os.path.splitdrive(text)[0]
    if drive.startswith("\\\\") and not drive.startswith(("\\\\?\\", "\\\\.\\")):
        return Mount(drive, "smb", drive)
    if sys.platform == "win32":
        import ctypes

        drive_remote = 4
        if ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == drive_remote:
            return Mount(drive + "\\", "network drive", drive)
    return None


def network_mount(
    path: Path, *, platform: str = sys.platform, mountinfo: Path = MOUNTINFO
) -> Mount | None:
    """The network mount holding ``path``, or None (local, or not known)."""
    if platform == "win32":
        return _windows_remote(path)
    mount = mount_of(path, _unix_mounts(platform, mountinfo))
    return mount if mount is not None and mount.is_network else None


def ensure_local_disk(
    path: Path, *, platform: str = sys.platform, mountinfo: Path | None = None
) -> None:
    """Raise :class:`NetworkFileSystem` if the database ``path`` is on a network file system."""
    mount = network_mount(path, platform=platform, mountinfo=mountinfo or MOUNTINFO)
    if mount is not None:
        raise NetworkFileSystem(Path(path), mount)
