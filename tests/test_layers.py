"""Packages import downwards only: the order below is the architecture
(docs/architecture.md). A package may import any package in a lower layer or, without
forming a cycle, one in its own; an import upwards fails here with the file that made it."""

from __future__ import annotations

import ast
from collections import defaultdict
from graphlib import TopologicalSorter
from pathlib import Path

import consentry

LAYERS: tuple[tuple[str, ...], ...] = (
    ("core", "config"),  # the kernel: errors, jobs, actor, clock; settings
    ("db",),  # engines, sessions, sealed columns, migrations runner
    ("throttle", "outbound", "audit"),  # infrastructure with no domain knowledge
    ("api",),  # the HTTP kit: problem+json, params, limits, admission, parts, OpenAPI
    ("accounts",),  # staff, API keys, sign-in
    ("hashing",),  # image decoding and hashing (PDQ, digests)
    ("signals",),  # signal kinds as plugins, their indexes
    ("detection", "banks"),
    ("matching",),
    ("actions",),  # the outbox: webhooks, e-mail, removal requests
    ("cases",),  # notices, decisions, copies, appeals, preservation
    ("content",),  # the content index and the copy finder (scans register content)
    # ... and exchanges: hash lists shared with other deployments, and partners' feedback.
    ("scans", "evidence", "transparency", "portal", "web", "exchanges"),
    ("reports", "compat"),  # figures; other tools' APIs (HMA), answered by consentry
    ("review",),
    ("retention", "admin"),
    ("service", "cli"),  # the composition root and the command line
    ("__main__",),
)
RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}
SOURCE = Path(consentry.__file__).parent


def _imports() -> dict[tuple[str, str], set[str]]:
    """(importer, imported) package pairs, with the files behind each."""
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(SOURCE).parts
        if "migrations" in parts:  # Alembic scripts, loaded by Alembic, not imported
            continue
        package = parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                dotted = name.split(".")
                if dotted[0] == "consentry" and len(dotted) > 1 and dotted[1] != package:
                    edges[(package, dotted[1])].add(str(path.relative_to(SOURCE)))
    return edges


def test_every_package_has_a_layer() -> None:
    packages = {
        path.name for path in SOURCE.iterdir() if path.is_dir() and (path / "__init__.py").exists()
    }
    modules = {path.stem for path in SOURCE.glob("*.py") if path.stem != "__init__"}
    assert packages | modules <= set(RANK), sorted((packages | modules) - set(RANK))


def test_no_package_imports_upwards() -> None:
    upward = [
        f"{importer} -> {imported} ({', '.join(sorted(files))})"
        for (importer, imported), files in sorted(_imports().items())
        if RANK[imported] > RANK[importer]
    ]
    assert not upward, "imports against the layer order:\n" + "\n".join(upward)


def test_packages_of_one_layer_form_no_cycle() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for importer, imported in _imports():
        graph[importer].add(imported)
    TopologicalSorter(graph).prepare()  # raises CycleError naming the cycle
