"""Audit the installed dependencies against the Python Packaging Advisory Database, as pip-audit does.

pip-audit cannot run on this network: PyPI's per-version JSON route (/pypi/NAME/VERSION/json) answers 404
and api.osv.dev does not resolve. PyPI's project route (/pypi/NAME/json) does answer, and it lists the
known vulnerabilities of the project's latest release. So:

- a package installed at its latest release is audited: any known vulnerability fails the run;
- a package behind its latest release cannot be audited here; it is printed with what holds it back
  (a dependency's specifier, or the latest release's Python requirement) or, when nothing does, as
  stale (a new upstream release must not turn CI red, so this is a warning to bump it);
- the project itself (an editable install) is skipped; so is a name PyPI does not know.

Usage: .venv/bin/python .ci/audit.py   (exit 1 when an audited package has a known vulnerability)
"""

from __future__ import annotations

import concurrent.futures
import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

PROJECT = "council"
PYTHON = ".".join(map(str, sys.version_info[:3]))


@dataclass
class Finding:
    name: str
    installed: str
    latest: str | None = None
    vulnerabilities: list[str] = field(default_factory=list)
    held_back_by: list[str] = field(default_factory=list)
    error: str | None = None


def installed() -> dict[str, str]:
    return {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()
            if canonicalize_name(d.metadata["Name"]) != PROJECT}


def requirements_on(name: str) -> list[str]:
    """Every installed distribution's requirement on `name` (extras included: they may be what pins it)."""
    found = []
    for dist in metadata.distributions():
        for line in dist.requires or []:
            requirement = Requirement(line)
            if canonicalize_name(requirement.name) == name and requirement.specifier:
                found.append(f"{dist.metadata['Name']} ({requirement.specifier})")
    return found


def check(name: str, version: str) -> Finding:
    finding = Finding(name, version)
    try:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=30) as answer:
            project = json.load(answer)
    except urllib.error.HTTPError as error:
        finding.error = f"PyPI answered {error.code}"
        return finding
    finding.latest = project["info"]["version"]
    if Version(version) >= Version(finding.latest):
        finding.vulnerabilities = [
            f"{v['id']} (fixed in {', '.join(v.get('fixed_in') or []) or 'no release yet'})"
            for v in project.get("vulnerabilities", [])]
        return finding
    latest = Version(finding.latest)
    finding.held_back_by = [r for r in requirements_on(name)
                            if latest not in SpecifierSet(r.split("(", 1)[1].rstrip(")"))]
    requires_python = project["info"].get("requires_python")
    if requires_python and PYTHON not in SpecifierSet(requires_python):
        finding.held_back_by.append(f"its latest release needs Python {requires_python}")
    return finding


def main() -> int:
    packages = installed()
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        findings = list(pool.map(lambda item: check(*item), sorted(packages.items())))
    vulnerable = [f for f in findings if f.vulnerabilities]
    unexplained = [f for f in findings if f.latest and Version(f.installed) < Version(f.latest)
                   and not f.held_back_by]
    held_back = [f for f in findings if f.held_back_by]
    unknown = [f for f in findings if f.error]
    audited = len(findings) - len(held_back) - len(unexplained) - len(unknown)

    print(f"{len(findings)} installed distributions; {audited} audited at their latest release, "
          f"{len(vulnerable)} with known vulnerabilities")
    for f in vulnerable:
        print(f"  VULNERABLE {f.name} {f.installed}: {'; '.join(f.vulnerabilities)}")
    for f in unexplained:
        print(f"  stale, not auditable here: {f.name} {f.installed} (latest {f.latest}); "
              "nothing holds it back")
    for f in held_back:
        print(f"  held back, not auditable here: {f.name} {f.installed} (latest {f.latest}) by "
              f"{'; '.join(f.held_back_by)}")
    for f in unknown:
        print(f"  not on PyPI: {f.name} {f.installed} ({f.error})")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
