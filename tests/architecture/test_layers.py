"""The house rules of docs/architecture.md, checked against the code.

Each layer imports only the layers below it; each table is written by one
module. Read from the source with ``ast``, so nothing is imported or run.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "liveq"

# Bottom first. A module may import its own layer and the layers before it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("liveq", "liveq.config", "liveq.errors")),
    ("tweettext", ("liveq.tweettext",)),
    ("domain", ("liveq.domain",)),
    ("screening", ("liveq.screening",)),
    ("storage", ("liveq.storage",)),
    ("hub", ("liveq.hub",)),
    ("cluster", ("liveq.cluster",)),
    ("ingest", ("liveq.ingest",)),
    ("networks", ("liveq.networks",)),
    ("workers", ("liveq.workers",)),
    ("after", ("liveq.after",)),
    ("web", ("liveq.web",)),
    ("cli", ("liveq.cli", "liveq.__main__")),
]
# Test and rehearsal tools beside the house: they may use the foundation, the
# text rules and the network plumbing (credentials, TLS); only the CLI starts them.
EMULATORS = ("emulators", ("liveq.emulators",))
EMULATORS_MAY_IMPORT = {"foundation", "tweettext", "networks", "emulators"}

# table -> the one module that writes it
TABLE_OWNERS = {
    "users": "liveq.storage.accounts",
    "sessions": "liveq.storage.accounts",
    "api_tokens": "liveq.storage.accounts",
    "account_links": "liveq.storage.accounts",
    "events": "liveq.storage.store",
    "questions": "liveq.storage.store",
    "votes": "liveq.storage.store",
    "event_logos": "liveq.storage.store",
    "audit": "liveq.storage.audit",
    "audit_keys": "liveq.storage.audit",
    "x_sources": "liveq.storage.x_sources",
    "outbox": "liveq.storage.outbox",
    "outbox_pauses": "liveq.storage.outbox",
    "network_posts": "liveq.storage.network_posts",
    "network_sources": "liveq.storage.network_sources",
    "presenter_timers": "liveq.storage.presenter",
    "backstage_messages": "liveq.storage.presenter",
    "procedures": "liveq.storage.procedure",
    "procedure_posts": "liveq.storage.procedure",
    "procedure_photos": "liveq.storage.procedure",
    "procedure_consents": "liveq.storage.procedure",
    "media_files": "liveq.storage.procedure",
    "polls": "liveq.storage.polls",
    "poll_answers": "liveq.storage.polls",
    "poll_tallies": "liveq.storage.polls",
    "migrations": "liveq.storage.migrations",
    "job_fences": "liveq.storage.fences",
}
# Erasing an event's personal data touches every table by design (one
# transaction, audited); it is the one module allowed to.
ERASER = "liveq.after.purge"
ERASER_ONLY = {"audit_purging"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> str:
    best, length = None, -1
    for name, prefixes in [*LAYERS, EMULATORS]:
        for prefix in prefixes:
            matches = module == prefix or (prefix != "liveq" and module.startswith(prefix + "."))
            if matches and len(prefix) > length:
                best, length = name, len(prefix)
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to docs/architecture.md and here")
    return best


def imports_of(path: Path) -> set[str]:
    """Every liveq module a file imports, at the top or inside a function."""
    found: set[str] = set()
    own = module_name(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "liveq")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = own.split(".")
                anchor = parts[: len(parts) - node.level + path.name.count("__init__")]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.split(".")[0] != "liveq":
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
    return found


ORDER = [name for name, _ in LAYERS]


def allowed(importer: str, imported: str) -> bool:
    if importer == "emulators":
        return imported in EMULATORS_MAY_IMPORT
    if imported == "emulators":
        return importer == "cli"
    return ORDER.index(imported) <= ORDER.index(importer)


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_layers_below(module):
    mine = layer_of(module)
    wrong = sorted(
        f"{module} ({mine}) imports {other} ({layer_of(other)})"
        for other in imports_of(MODULES[module])
        if not allowed(mine, layer_of(other))
    )
    assert not wrong, "\n".join(wrong)


WRITE = re.compile(r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+([a-z_]+)\b", re.I)


def test_each_table_written_by_its_owner():
    wrong = []
    for module, path in MODULES.items():
        for table in WRITE.findall(path.read_text(encoding="utf-8")):
            table = table.lower()
            if table not in TABLE_OWNERS and table not in ERASER_ONLY:
                continue  # a word after UPDATE in prose, or a trigger's SQL keyword
            # Migrations build tables; `liveq db copy` moves a whole database over.
            if module in (ERASER, "liveq.storage.migrations", "liveq.storage.copy"):
                continue
            if TABLE_OWNERS.get(table) != module:
                wrong.append(f"{module} writes {table} (owner: {TABLE_OWNERS.get(table)})")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_every_table_has_an_owner():
    source = (PACKAGE / "storage" / "migrations.py").read_text(encoding="utf-8")
    tables = set(re.findall(r"CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)", source))
    assert tables == set(TABLE_OWNERS) | ERASER_ONLY


def test_no_private_names_across_modules():
    """`from x import _name` reaches into another module's insides."""
    wrong = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("liveq"):
                private = [a.name for a in node.names if re.match(r"_(?!_)", a.name)]
                wrong += [f"{module}: {name}" for name in private]
    assert not wrong, wrong
