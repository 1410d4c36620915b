"""requirements/: a production install (base.txt) has the runtime only; the
simulator's moto comes with the development files; every pin is exact."""

import re
from pathlib import Path

import pytest

REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def requirements(path: Path, seen: frozenset[Path] = frozenset()) -> dict[str, str]:
    """{normalised name: requirement line} of a file, following -r includes."""
    found: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        option, _, target = line.partition(" ")
        if option in ("-r", "--requirement"):
            included = (path.parent / target.strip()).resolve()
            assert included not in seen, f"{path.name} includes {target} in a loop"
            found.update(requirements(included, seen | {path.resolve()}))
            continue
        assert not line.startswith("-"), f"{path.name}: unexpected option {line!r}"
        name = NAME.match(line)
        assert name, f"{path.name}: cannot read {line!r}"
        found[re.sub(r"[-_.]+", "-", name.group(0)).lower()] = line
    return found


def test_a_production_install_has_no_moto():
    runtime = requirements(REQUIREMENTS / "base.txt")
    assert "django" in runtime and "boto3" in runtime
    assert "moto" not in runtime


def test_the_simulator_comes_with_the_local_and_test_requirements():
    for name in ("local.txt", "test.txt"):
        assert "moto" in requirements(REQUIREMENTS / name), name
    tests = requirements(REQUIREMENTS / "test.txt")
    assert {"pytest", "ruff", "django"} <= set(tests)


@pytest.mark.parametrize("name", ["base.txt", "local.txt", "test.txt", "bench.txt"])
def test_every_requirement_is_pinned_to_one_version(name):
    loose = [
        line
        for line in requirements(REQUIREMENTS / name).values()
        if not re.search(r"==[0-9][^,;\s]*$", line)
    ]
    assert loose == []


def test_includes_are_followed(tmp_path):
    (tmp_path / "a.txt").write_text("# runtime\nDjango==5.2.19  # web\n")
    (tmp_path / "b.txt").write_text("-r a.txt\nmoto[server]==5.2.5\n")
    assert requirements(tmp_path / "b.txt") == {
        "django": "Django==5.2.19",
        "moto": "moto[server]==5.2.5",
    }
