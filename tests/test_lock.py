"""requirements.lock (what `make` installs, every file hash-checked) agrees with requirements*.txt (what we ask for):
every pinned requirement is in the lock at the same version, and every locked package carries a SHA-256 hash."""

from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _asked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if not line or line.startswith("-r"):
                continue
            requirement = Requirement(line)
            (spec,) = requirement.specifier  # every requirement is pinned with ==
            assert spec.operator == "==", f"{line}: pin it with =="
            pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def _locked() -> dict[str, tuple[str, int]]:
    text = (ROOT / "requirements.lock").read_text()
    entries = re.findall(
        r"^([A-Za-z0-9_.\-\[\]]+)==(\S+) \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", text, re.M
    )
    return {
        canonicalize_name(name.split("[")[0]): (version, hashes.count("sha256:")) for name, version, hashes in entries
    }


def test_every_requirement_is_locked_at_its_pinned_version():
    locked = _locked()
    mismatched = {
        name: (version, locked.get(name, ("missing", 0))[0])
        for name, version in _asked().items()
        if locked.get(name, ("", 0))[0] != version
    }
    assert mismatched == {}, "run `make lock` and commit requirements.lock"


def test_every_locked_package_has_a_hash():
    text = (ROOT / "requirements.lock").read_text()
    pinned = re.findall(r"^[A-Za-z0-9_.\-\[\]]+==\S+", text, re.M)
    locked = _locked()
    assert len(pinned) == len(locked) > 50
    assert all(count >= 1 for _, count in locked.values())
