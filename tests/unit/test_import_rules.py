"""Architecture rules read from the source with ast: services stay apart, domains stay pure."""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"
SHARED = ROOT / "shared"
INFRASTRUCTURE = frozenset(
    {"fastapi", "sqlalchemy", "aiokafka", "asyncpg", "httpx", "uvicorn", "starlette"}
)
PURE_MODULES = frozenset({"domain", "events"})


def imported_modules(source: str, *, package: str) -> Iterator[str]:
    """Every module a source imports, wherever the import is (TYPE_CHECKING, functions).

    `from a import b` yields both `a` and `a.b`, because `b` may be a module; relative imports
    are resolved against `package`, and `importlib.import_module("x")` with a literal counts.
    """
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and _is_import_module(node):
            argument = node.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                yield argument.value


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if node.level == 0:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _is_import_module(node: ast.Call) -> bool:
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    return name in ("import_module", "__import__") and bool(node.args)


def _imports_of(path: Path) -> list[str]:
    parts = path.relative_to(ROOT).with_suffix("").parts
    package = ".".join(parts if path.name == "__init__.py" else parts[:-1])
    return list(imported_modules(path.read_text(encoding="utf-8"), package=package))


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _service_folders() -> list[Path]:
    return sorted(p for p in SERVICES.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def _is_pure(path: Path, service: Path) -> bool:
    """`domain.py`/`events.py`, or any module of a `domain/` or `events/` package."""
    inside = path.relative_to(service).with_suffix("").parts
    return inside[0] in PURE_MODULES


def test_the_rules_see_all_five_services_and_their_pure_modules() -> None:
    services = _service_folders()

    missing = [
        f"{service.name}/{module}"
        for service in services
        for module in PURE_MODULES
        if not (service / f"{module}.py").is_file()
        and not (service / module / "__init__.py").is_file()
    ]

    assert {"order", "inventory", "credit", "fulfillment", "andon"} <= {s.name for s in services}
    assert missing == []


def test_the_import_reader_resolves_relative_nested_and_dynamic_imports() -> None:
    source = (
        "from . import handlers\n"
        "from ..credit.events import CreditApproved\n"
        "def later():\n"
        "    import sqlalchemy.orm\n"
        "    importlib.import_module('services.andon.inbound')\n"
    )

    found = set(imported_modules(source, package="services.order"))

    assert {"services.order.handlers", "services.credit.events", "sqlalchemy.orm"} <= found
    assert "services.andon.inbound" in found


def test_no_service_imports_another_service() -> None:
    """services.X may import shared and itself; files directly in services/ compose them all."""
    violations = [
        f"{path.relative_to(ROOT)} imports {module}"
        for service in _service_folders()
        for path in _python_files(service)
        for module in _imports_of(path)
        if module.startswith("services.") and module.split(".")[1] != service.name
    ]

    assert violations == []


def test_shared_never_imports_services() -> None:
    violations = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _python_files(SHARED)
        for module in _imports_of(path)
        if module.split(".")[0] == "services"
    ]

    assert violations == []


def test_domain_and_events_modules_import_no_infrastructure() -> None:
    """Neither directly nor through a project module they import (shared.*, their own)."""
    violations = [
        f"{path.relative_to(ROOT)} reaches {module} through {via.relative_to(ROOT)}"
        for service in _service_folders()
        for path in _python_files(service)
        if _is_pure(path, service)
        for via, module in _reachable_imports(path)
        if module.split(".")[0] in INFRASTRUCTURE
    ]

    assert violations == []


def _reachable_imports(start: Path) -> Iterator[tuple[Path, str]]:
    """(file, module it imports) for `start` and every project file it loads, transitively."""
    seen: set[Path] = set()
    pending = [start]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in _imports_of(path):
            yield path, module
            pending += _project_files(module)


def _project_files(module: str) -> list[Path]:
    """The files importing `module` executes in this repository: it and its parent packages."""
    parts = module.split(".")
    if parts[0] not in ("shared", "services"):
        return []
    files = []
    for depth in range(1, len(parts) + 1):
        base = ROOT.joinpath(*parts[:depth])
        files += [f for f in (base / "__init__.py", base.with_suffix(".py")) if f.is_file()]
    return files


def _modules_named(service: Path, name: str) -> list[Path]:
    """`name.py` of the service, or every module of its `name/` package."""
    single = service / f"{name}.py"
    package = service / name
    return [single] if single.is_file() else _python_files(package) if package.is_dir() else []


def _route_modules(service: Path) -> list[Path]:
    """The service's HTTP routes: its `api` module or package, and any `<part>_api.py`."""
    return [*_modules_named(service, "api"), *sorted(service.glob("*_api.py"))]


def _handler_imports() -> list[tuple[Path, Path, str]]:
    """(service folder, handlers module, module it imports) for every import of every handler."""
    return [
        (service, path, module)
        for service in _service_folders()
        for path in _modules_named(service, "handlers")
        for module in _imports_of(path)
    ]


# What a use case must not reach for: the runtime (and with it the whole process), the web
# framework, or the environment (settings are injected, in the command or the definition).
HANDLER_FORBIDDEN = ("shared.runtime", "fastapi", "starlette", "pydantic_settings", "os")


def test_handlers_get_what_they_need_not_the_runtime_the_web_or_the_environment() -> None:
    violations = [
        f"{path.relative_to(ROOT)} imports {module}"
        for service, path, module in _handler_imports()
        if any(_is_within(module, forbidden) for forbidden in HANDLER_FORBIDDEN)
        or module.endswith(".settings")
    ]

    assert violations == []


def test_handlers_look_up_in_the_write_sides_tables_never_in_the_read_models() -> None:
    """The write side decides from its own streams and lookups; the views are the routes'."""
    violations = [
        f"{path.relative_to(ROOT)} imports {module}"
        for service, path, module in _handler_imports()
        if _is_within(module, f"services.{service.name}.views")
    ]

    assert violations == []


def test_routes_and_views_read_the_read_models_never_the_lookups() -> None:
    violations = [
        f"{path.relative_to(ROOT)} imports {module}"
        for service in _service_folders()
        for path in [*_route_modules(service), *_modules_named(service, "views")]
        for module in _imports_of(path)
        if _is_within(module, f"services.{service.name}.lookups")
    ]

    assert violations == []


def _is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def test_http_routes_act_only_by_sending_commands() -> None:
    """A route never runs a handler itself: it builds a command and calls `runtime.send`."""
    violations = [
        f"{path.relative_to(ROOT)}:{call.lineno} calls {name}"
        for service in _service_folders()
        for path in _route_modules(service)
        for call, name in _calls_into_handlers(path.read_text(encoding="utf-8"), service.name)
    ]

    assert violations == []


def test_routes_are_declared_at_module_level() -> None:
    """A route is a module's function on a module's router, reaching its runtime through a
    dependency: no route is a closure inside a factory."""
    nested = [
        f"{path.relative_to(ROOT)}:{inner.lineno} {inner.name} inside {outer.name}"
        for service in _service_folders()
        for path in _route_modules(service)
        for outer in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef)
        for inner in ast.walk(outer)
        if inner is not outer
        and isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef)
        and inner.decorator_list
    ]

    assert nested == []


def _calls_into_handlers(source: str, service: str) -> Iterator[tuple[ast.Call, str]]:
    """Calls of `run_command`, or of anything imported from the service's handlers."""
    tree = ast.parse(source)
    handler_names = {"run_command"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            f"services.{service}.handlers"
        ):
            handler_names |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module == f"services.{service}":
            handler_names |= {a.asname or a.name for a in node.names if a.name == "handlers"}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else ""
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            name = func.value.id if func.value.id in handler_names else ""
        if name in handler_names:
            yield node, ast.unparse(func)


def test_the_route_rule_sees_a_handler_called_directly() -> None:
    source = (
        "from services.order import handlers\n"
        "from shared.commands import run_command\n"
        "async def route():\n"
        "    await handlers.cancel_order(cmd, uow)\n"
        "    await run_command(handlers.cancel_order, cmd, uow)\n"
    )
    found = [name for _, name in _calls_into_handlers(source, "order")]

    assert found == ["handlers.cancel_order", "run_command"]
