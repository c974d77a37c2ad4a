"""Every typed row a service writes (shared/rows.py) matches the table it is written to: each
field a column of the service's table, `None` allowed only where the column takes NULL, and the
key the table's primary key, so a row's statement can neither name a column that is not there
nor leave a NOT NULL one out of an update by its key."""

import importlib
import pkgutil
import types
from typing import Union, get_args, get_origin, get_type_hints

import pytest
from sqlalchemy import Table

import services
from services.roster import ALL_SERVICES
from shared import rows, tables


def _every_module_of_services() -> None:
    for module in pkgutil.walk_packages(services.__path__, "services."):
        if not module.name.endswith("__main__"):  # a program, not a module to import
            importlib.import_module(module.name)


def _row_models() -> list[type[rows.Row]]:
    _every_module_of_services()
    found: list[type[rows.Row]] = []
    todo = list(rows.Row.__subclasses__())
    while todo:
        model = todo.pop()
        if model.__module__.startswith("services."):  # not a test's own
            found.append(model)
        todo += model.__subclasses__()
    return sorted(found, key=lambda m: f"{m.__module__}.{m.__qualname__}")


def _table_of(model: type[rows.Row]) -> Table:
    [service] = [d for d in ALL_SERVICES if model.__module__.startswith(f"services.{d.name}.")]
    for metadata in (tables.metadata, *service.owned_tables()):
        if model.table in metadata.tables:
            return metadata.tables[model.table]
    raise AssertionError(f"{service.name} has no table {model.table!r}")


def _may_be_none(hint: object) -> bool:
    return get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint)


MODELS = _row_models()


def test_the_services_write_through_row_models() -> None:
    assert {m.__module__.split(".")[1] for m in MODELS} >= {d.name for d in ALL_SERVICES}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__qualname__)
def test_a_row_model_matches_its_table(model: type[rows.Row]) -> None:
    table = _table_of(model)
    hints = get_type_hints(model)
    names = rows.columns(model)

    assert set(names) <= set(table.columns.keys()), "fields that are not columns"
    assert set(model.primary_key) == {c.name for c in table.primary_key.columns}, (
        "not the primary key"
    )
    assert set(model.primary_key) <= set(names), "a row names its primary key"
    nullable = {name for name in names if _may_be_none(hints[name])}
    assert {n for n in nullable if not table.columns[n].nullable} == set(), "None into NOT NULL"
