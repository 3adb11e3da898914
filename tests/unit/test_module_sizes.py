"""No module over 400 lines (STYLE.md): past that, a file holds more than one concept."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 400
SKIPPED = {"data", "build", "dist", "node_modules"}


def modules() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not any(part.startswith(".") or part in SKIPPED for part in path.relative_to(ROOT).parts)
    ]


def test_no_module_of_the_tree_is_longer_than_400_lines() -> None:
    lengths = {path.relative_to(ROOT).as_posix(): len(path.read_text().splitlines()) for path in modules()}
    assert "domain/ticket.py" in lengths
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}
