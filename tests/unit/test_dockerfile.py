"""The image follows the tree: every package pip installs is copied in, and nothing runs as root.

No Docker engine runs here, so these read pyproject.toml, the Dockerfile and compose.yaml.
"""

import fnmatch
import re
import shlex
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SKIPPED = {".git", ".venv", "node_modules", "build", "dist"}


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined and comments left out."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def copied(dockerfile: str) -> set[str]:
    """What the build context's COPY and ADD instructions take, as paths relative to it."""
    sources: set[str] = set()
    for keyword, rest in instructions(dockerfile):
        if keyword in ("COPY", "ADD"):
            words = [w for w in shlex.split(rest) if not w.startswith("--")]
            sources |= {w.removeprefix("./").rstrip("/") or "." for w in words[:-1]}
    return sources


def installed_packages(pyproject: dict, root: Path) -> set[str]:
    """The top-level folders setuptools' `packages.find` picks: packages whose name matches an include."""
    patterns = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    found = set()
    for init in root.rglob("__init__.py"):
        parts = init.parent.relative_to(root).parts
        if not parts or SKIPPED & set(parts):
            continue
        if any(fnmatch.fnmatchcase(".".join(parts), pattern) for pattern in patterns):
            found.add(parts[0])
    return found


def missing_from_image(pyproject: dict, dockerfile: str, root: Path) -> set[str]:
    taken = copied(dockerfile)
    if "." in taken:
        return set()
    readme = pyproject["project"].get("readme")
    needed = installed_packages(pyproject, root) | {"pyproject.toml"} | ({readme} if readme else set())
    return needed - taken


def read_pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_every_package_pip_installs_is_copied_into_the_image() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert missing_from_image(read_pyproject(), dockerfile, REPO) == set()


def test_a_new_top_level_package_left_out_of_the_dockerfile_is_reported(tmp_path: Path) -> None:
    for name in ("domain", "application"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    pyproject = {
        "project": {"readme": "README.md"},
        "tool": {"setuptools": {"packages": {"find": {"include": ["domain*", "application*"]}}}},
    }
    dockerfile = "FROM python:3.11-slim\nCOPY pyproject.toml README.md ./\nCOPY domain ./domain\n"
    assert missing_from_image(pyproject, dockerfile, tmp_path) == {"application"}


def test_every_include_pattern_of_pyproject_names_a_package_in_the_tree() -> None:
    """A renamed folder whose old pattern stays behind would otherwise install nothing, silently."""
    patterns = read_pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = installed_packages(read_pyproject(), REPO)
    assert [p for p in patterns if not fnmatch.filter(packages, p)] == []


def test_the_image_runs_as_a_user_that_owns_the_data_directory_and_is_not_root() -> None:
    steps = instructions((REPO / "Dockerfile").read_text())
    users = [rest for keyword, rest in steps if keyword == "USER"]
    assert users, "the Dockerfile never leaves root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    runs = " ".join(rest for keyword, rest in steps if keyword == "RUN")
    assert re.search(rf"useradd\b[^&]*\b{re.escape(user)}\b", runs), f"no useradd creates {user}"
    env = " ".join(rest for keyword, rest in steps if keyword == "ENV")
    data = env.split("DESKSTREAM_DATA=")[1].split()[0]
    assert re.search(rf"chown [^&]*\b{re.escape(user)}\b[^&]* {re.escape(data)}\b", runs)


def test_compose_mounts_named_volumes_at_data_and_never_runs_as_root() -> None:
    """A host folder bound at /data would be owned by the host's user, not the image's."""
    compose = (REPO / "compose.yaml").read_text()
    assert not re.search(r"^\s*user:\s*[\"']?(root|0)\b", compose, re.MULTILINE)
    mounts = re.findall(r"^\s*-\s*([^\s:#]+):/data\b", compose, re.MULTILINE)
    assert mounts, "no service keeps /data on a volume"
    declared = compose.split("\nvolumes:", 1)[1]
    for source in mounts:
        assert not source.startswith((".", "/", "~")), f"{source} is a bind mount"
        assert re.search(rf"^\s+{re.escape(source)}:", declared, re.MULTILINE), f"{source} is not declared"
