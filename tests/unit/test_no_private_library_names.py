"""No module uses a private name (one starting with ``_``) of the eventsourcing library.

Private names change without notice between the library's versions; what the project needs
goes through its documented extension points (issue 16).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "projections", "api", "replay")
LIBRARY = "eventsourcing"


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def library_module(name: str | None) -> bool:
    return name is not None and (name == LIBRARY or name.startswith(f"{LIBRARY}."))


def private_uses(tree: ast.AST) -> list[str]:
    """Each private library name ``tree`` imports or reaches as an attribute, with its line."""
    found = []
    library_aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and library_module(node.module):
            for alias in node.names:
                if is_private(alias.name):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if library_module(alias.name):
                    if any(is_private(part) for part in alias.name.split(".")):
                        found.append(f"line {node.lineno}: import {alias.name}")
                    library_aliases.add(alias.asname or alias.name.split(".")[0])
    library_names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and library_module(node.module)
        for alias in node.names
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in library_aliases:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.ClassDef) and any(
            isinstance(base, ast.Name) and base.id in library_names for base in node.bases
        ):
            found.extend(inherited_private_uses(node))
    return sorted(found, key=lambda use: int(use.split(":")[0].removeprefix("line ")))


def inherited_private_uses(cls: ast.ClassDef) -> list[str]:
    """Private attributes a subclass of a library class reaches through ``self`` or ``super()``
    without defining them itself: the library's own."""
    own = {
        target.attr
        for node in ast.walk(cls)
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Attribute)
    } | {node.name for node in cls.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    return [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(cls)
        if isinstance(node, ast.Attribute)
        and is_private(node.attr)
        and node.attr not in own
        and (
            (isinstance(node.value, ast.Name) and node.value.id == "self")
            or (isinstance(node.value, ast.Call) and ast.unparse(node.value.func) == "super")
        )
    ]


def test_no_module_uses_a_private_name_of_the_library() -> None:
    offenders = {
        str(path.relative_to(ROOT)): uses
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if (uses := private_uses(ast.parse(path.read_text(), filename=str(path))))
    }
    assert offenders == {}


def test_the_check_sees_private_imports_and_attributes() -> None:
    source = (
        "import eventsourcing.domain\n"
        "import eventsourcing.persistence as p\n"
        "from eventsourcing.domain import Aggregate, _created_event_classes\n"
        "x = eventsourcing.domain._init_mentions_id\n"
        "y = p._hidden\n"
        "z = eventsourcing.domain.Aggregate.__init__\n"
        "class R(Aggregate):\n"
        "    def _own(self):\n"
        "        self._lock_table()\n"
        "        return self._own()\n"
    )
    assert private_uses(ast.parse(source)) == [
        "line 3: from eventsourcing.domain import _created_event_classes",
        "line 4: eventsourcing.domain._init_mentions_id",
        "line 5: p._hidden",
        "line 9: self._lock_table",
    ]
