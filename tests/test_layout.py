"""The one layout every app keeps (issue 16): writes in a ``services/`` package and reads in a
``selectors/`` package, one module per topic, each function with one import path, and every
public service function keyword-only and named ``<noun>_<verb>``
(``unit_plan_submit``, ``batch_commit``). Read from the source (ast), so a function is judged
where it is defined, not where it is imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("plans", "indicators", "btitracker", "competence", "reports", "demo", "identity")

# The last word of a service's name says what it does to the noun before it.
VERBS = frozenset(
    [
        "accept",
        "add",
        "adopt",
        "answer",
        "apply",
        "approve",
        "build",
        "cancel",
        "change",
        "check",
        "claim",
        "close",
        "commit",
        "complete",
        "confirm",
        "create",
        "decide",
        "decline",
        "delete",
        "diff",
        "discard",
        "display",
        "enrol",
        "ensure",
        "evaluate",
        "finish",
        "get",
        "grant",
        "import",
        "link",
        "load",
        "open",
        "order",
        "parse",
        "poll",
        "preview",
        "propose",
        "publish",
        "purge",
        "record",
        "rehash",
        "reject",
        "remove",
        "render",
        "requeue",
        "retry",
        "return",
        "revise",
        "revoke",
        "rollback",
        "save",
        "send",
        "set",
        "snapshot",
        "start",
        "submit",
        "sync",
        "touch",
        "update",
        "upsert",
        "withdraw",
    ]
)

# Reads and helpers that still sit in a service module; the inventory for issue 16 proposes
# moving each to the app's selectors (or making it private). The list only shrinks: an entry
# that is fixed or gone fails test_pending_entries_still_break_the_rule.
PENDING: dict[str, set[str]] = {}


def _service_modules() -> list[Path]:
    return sorted(
        p for app in APPS for p in (ROOT / app / "services").glob("*.py") if p.name != "__init__.py"
    )


def _public_functions(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and not node.name.startswith("_")
    ]


def _problems(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    problems = []
    args = function.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    if positional or args.vararg:
        problems.append(f"not keyword-only ({', '.join(positional) or '*' + args.vararg.arg})")
    words = function.name.split("_")
    if len(words) < 2 or words[-1] not in VERBS:
        problems.append(f"not <noun>_<verb> (last word {words[-1]!r} is not in VERBS)")
    return problems


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_every_app_has_services_and_selectors_packages_and_no_loose_modules():
    for app in APPS:
        folder = ROOT / app
        assert (folder / "services" / "__init__.py").is_file(), f"{app} has no services/ package"
        loose = sorted(
            p.name for pattern in ("services*.py", "selectors*.py") for p in folder.glob(pattern)
        )
        assert loose == [], f"{app}: modules beside the packages: {loose}"
        # the demo loader has no reads of its own
        if app != "demo":
            assert (folder / "selectors" / "__init__.py").is_file(), (
                f"{app} has no selectors/ package"
            )


@pytest.mark.parametrize("kind", ["services", "selectors"])
def test_package_init_defines_and_imports_nothing(kind):
    """One import path per function: ``app.services.topic.name``, never also
    ``app.services.name``."""
    for app in APPS:
        init = ROOT / app / kind / "__init__.py"
        if not init.exists():
            continue
        tree = ast.parse(init.read_text())
        body = [
            node
            for node in tree.body
            if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        ]
        assert body == [], f"{_relative(init)} holds code: import from the topic module instead"


def test_public_service_functions_are_keyword_only_and_named_noun_verb():
    found = []
    for path in _service_modules():
        for function in _public_functions(path):
            if function.name in PENDING.get(_relative(path), set()):
                continue
            found += [
                f"{_relative(path)}:{function.lineno} {function.name}: {p}"
                for p in _problems(function)
            ]
    assert found == [], "\n".join(found)


def test_pending_entries_still_break_the_rule():
    """Moving a read out (or fixing it) must take it off PENDING, so the list only shrinks."""
    stale = []
    for relative, names in PENDING.items():
        functions = (
            {f.name: f for f in _public_functions(ROOT / relative)}
            if (ROOT / relative).exists()
            else {}
        )
        stale += [
            f"{relative} {name}"
            for name in names
            if name not in functions or not _problems(functions[name])
        ]
    assert stale == [], "fixed or gone, take off PENDING: " + ", ".join(stale)


def test_the_rule_catches_a_positional_function_and_a_verbless_name():
    """The check itself bites: a positional parameter and a name without a verb are caught."""
    tree = ast.parse("def case_close(case):\n    pass\n\ndef case_summary(*, case):\n    pass\n")
    positional, verbless = tree.body
    assert _problems(positional) == ["not keyword-only (case)"]
    assert _problems(verbless) == ["not <noun>_<verb> (last word 'summary' is not in VERBS)"]
