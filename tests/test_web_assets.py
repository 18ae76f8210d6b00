"""The browser assets the package serves: the vendored libraries are the files pinned by
their checksums, and every asset a template names is in the package."""

from __future__ import annotations

import hashlib
import re
from importlib.resources import files
from pathlib import Path

STATIC = Path(str(files("aikg.web") / "static"))
TEMPLATES = Path(str(files("aikg.web") / "templates"))


def test_the_vendored_files_are_the_ones_their_checksums_pin() -> None:
    vendor = STATIC / "vendor"
    pinned = {
        path: digest
        for digest, path in (
            line.split(maxsplit=1) for line in (vendor / "SHA256SUMS").read_text().splitlines()
        )
    }
    assert "codemirror/LICENSE" in pinned  # the licence travels with the code
    for path, digest in pinned.items():
        assert hashlib.sha256((vendor / path).read_bytes()).hexdigest() == digest, path
    shipped = {p.relative_to(vendor).as_posix() for p in vendor.rglob("*") if p.is_file()} - {
        "SHA256SUMS"
    }
    assert shipped == set(pinned)  # nothing vendored without a checksum


def test_every_asset_a_template_names_is_served_from_the_package() -> None:
    named = set()
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        named |= set(re.findall(r'(?:src|href)="\{\{ root \}\}static/([^"]+)"', text))
        # Nothing from another origin: no absolute URL in a script or a stylesheet.
        assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', text), template
    assert {"editor.js", "vendor/codemirror/lib/codemirror.js", "aikg.css"} <= named
    for path in named:
        assert (STATIC / path).is_file(), path
