"""MkDocs hook: the committed study figures (``data/<study>/plots/*.png``) become site files.

The figures live with the data that made them, not under ``docs/``; this adds them to the build
at the same relative path (``data/paper/plots/threshold.png``), so a page links them as
``data/paper/plots/threshold.png`` from the docs root and nothing is copied into the repository.
"""

from __future__ import annotations

import pathlib
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = pathlib.Path(__file__).resolve().parents[2]


def on_files(files: Files, *, config: Any) -> Files:
    for png in sorted(ROOT.glob("data/*/plots/*.png")):
        files.append(
            File(
                png.relative_to(ROOT).as_posix(),
                src_dir=str(ROOT),
                dest_dir=config["site_dir"],
                use_directory_urls=config["use_directory_urls"],
            )
        )
    return files
