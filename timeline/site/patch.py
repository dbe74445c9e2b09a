"""Publishing a patched site (the one-edit build), so that a reader only ever sees a whole site.

A cold build swaps its staging folder with the output folder (see ``site.publication``); the old
site that the swap leaves in the cache folder is kept there as the *spare* (``spare-<tag>``,
see ``Publication.take_spare``) instead of being deleted. Its files are hard links of the
live site's, but for the few the last build changed. A one-edit build takes the spare as its staging
folder, makes it a mirror of the live site (``mirror``: each file whose inode differs from
the live one is linked again, files the live site has not are removed; no file is copied
or read), writes only what the edit changed (as new files, never into an inode the live
site shares) and swaps it in. A killed build leaves a staging folder, which the next build
removes: the spare is then made again from nothing, never trusted.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

from timeline import files

Scan = dict[str, tuple[int, int, int]]  # output file -> (size, modification time, inode)


def _entries(folder: str, prefix: str = "") -> tuple[list[tuple[str, os.DirEntry[str]]], list[str]]:
    """Every file under ``folder`` (relative path, entry) and every folder (relative path),
    without following links."""
    found: list[tuple[str, os.DirEntry[str]]] = []
    folders: list[str] = []
    stack = [(folder, prefix)]
    while stack:
        where, rel = stack.pop()
        try:
            entries = list(os.scandir(where))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.append(rel + entry.name)
                stack.append((entry.path, f"{rel}{entry.name}/"))
            else:
                found.append((rel + entry.name, entry))
    return found, folders


def scan(output: Path) -> Scan:
    """Size, time and inode of every file of the output folder."""
    stats: Scan = {}
    for rel, entry in _entries(os.fspath(output))[0]:
        st = entry.stat(follow_symlinks=False)
        stats[rel] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return stats


Listing = tuple[dict[str, int], list[str]]  # files (relative path -> inode), folders


def listing(folder: Path | None) -> Listing:
    """Every file under ``folder`` with its inode, and every folder (none if it is None)."""
    if folder is None:
        return {}, []
    found, folders = _entries(os.fspath(folder))
    return {rel: entry.inode() for rel, entry in found}, folders


def mirror(live: Path, live_files: Scan, staging: Path, held: Listing) -> int:
    """Make ``staging``, which holds what ``held`` lists, hold exactly the live site's files,
    each a hard link of the live one; returns how many files had to be linked again. Raises
    OSError where links fail."""
    have, folders = held
    root, source = os.fspath(staging), os.fspath(live)
    for rel in have.keys() - live_files.keys():
        os.unlink(f"{root}/{rel}")
    wanted = {rel.rpartition("/")[0] for rel in live_files}
    wanted |= {parent for rel in wanted for parent in _parents(rel)}
    for rel in sorted(set(folders) - wanted, key=len, reverse=True):
        with suppress(OSError):  # left as it is if not empty (it then holds no page)
            os.rmdir(f"{root}/{rel}")
    made = set(folders) & wanted
    linked = 0
    for rel, (_, _, inode) in live_files.items():
        if have.get(rel) == inode:
            continue
        parent = rel.rpartition("/")[0]
        if parent and parent not in made:
            for folder in [*reversed(list(_parents(parent))), parent]:
                if folder not in made:
                    files.make_one_folder(f"{root}/{folder}")
                    made.add(folder)
        target = f"{root}/{rel}"
        if rel in have:
            os.unlink(target)
        os.link(f"{source}/{rel}", target, follow_symlinks=False)
        linked += 1
    return linked


def _parents(rel: str) -> list[str]:
    """``a/b/c`` -> ``a/b``, ``a`` (the folders above a folder)."""
    out = []
    while "/" in rel:
        rel = rel.rpartition("/")[0]
        out.append(rel)
    return out
