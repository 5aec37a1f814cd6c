"""The demo loader writes every app's rows through that app's services, never directly.

`huitou` owns no tables of the apps it loads, so any ORM or raw write in huitou/demo/ (or in
the commands that run it) writes another app's table and skips the rules, history and events
that app's services keep. Read from the source with `ast`, so a write is caught whether or not
a test runs it.
"""

import ast
from pathlib import Path

import pytest

HUITOU = Path(__file__).resolve().parent.parent
COMMANDS = HUITOU / "management" / "commands"
# The demo modules and the commands that run them.
MODULES = sorted(HUITOU.glob("demo/*.py")) + [
    COMMANDS / f"{name}.py" for name in ("load_demo", "prepare_demo", "demo_logins")
]
# Methods only models, managers and querysets have: a call of one is a write.
WRITING_METHODS = {
    "create", "bulk_create", "bulk_update", "get_or_create", "update_or_create", "delete",
    "save", "create_user", "create_superuser",
}  # fmt: skip
# Methods sets and dicts share with managers: a write when called on `.objects` or a queryset.
SHARED_METHODS = {"update", "add", "set", "remove", "clear"}
QUERYSET_SOURCES = {"objects", "filter", "exclude", "all", "select_related"}
# Functions that write rows without the ORM (core.bulk) or with raw SQL.
WRITING_FUNCTIONS = {"insert_columns", "insert_rows", "executemany"}
# The one statement the loader runs itself: ANALYZE writes planner statistics, no rows.
ALLOWED_SQL = {"ANALYZE"}


def _called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return ""


def _is_orm_write(call: ast.Call) -> bool:
    """Return whether the call writes through a model, a manager or a queryset.

    `done.add(n)` on a set is no write, so the methods sets and dicts share with managers
    count only on `.objects` or a queryset (a related manager such as `customer.tags` is
    not told apart from a set; review catches that one).
    """
    if not isinstance(call.func, ast.Attribute):
        return False
    if call.func.attr in WRITING_METHODS:
        return True
    return call.func.attr in SHARED_METHODS and _from_queryset(call.func.value)


def _from_queryset(node: ast.expr) -> bool:
    """Return whether the expression reads `.objects` or calls a queryset method on the way."""
    return any(
        isinstance(part, ast.Attribute) and part.attr in QUERYSET_SOURCES for part in ast.walk(node)
    )


def _is_raw_write(call: ast.Call) -> bool:
    if _called_name(call) in WRITING_FUNCTIONS:
        return True
    if _called_name(call) != "execute" or not call.args:
        return False
    sql = call.args[0]
    return not (isinstance(sql, ast.Constant) and sql.value in ALLOWED_SQL)


def writes_in(source: str) -> list[str]:
    """Return "line: call" for every direct write in the module's source."""
    return [
        f"{node.lineno}: {ast.unparse(node.func)}(...)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and (_is_orm_write(node) or _is_raw_write(node))
    ]


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_demo_module_writes_only_through_services(module: Path) -> None:
    assert writes_in(module.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "line",
    [
        "Product.objects.bulk_create([], ignore_conflicts=True)",
        "Customer.objects.create(name='x')",
        "User.objects.create_user(username='x')",
        "insert_columns(Order, fields, columns)",
        "core.bulk.insert_rows(Consent, fields, rows)",
        "user.save(update_fields=['password'])",
        "Team.objects.get_or_create(name='x')",
        "FollowUp.objects.filter(pk=1).update(done_at=None)",
        "Customer.objects.get(pk=1).tags.add(tag)",
        "cursor.execute('DELETE FROM sales_order')",
    ],
)
def test_the_guard_catches_each_kind_of_direct_write(line: str) -> None:
    assert len(writes_in(line)) == 1


def test_the_guard_lets_service_calls_and_analyze_through() -> None:
    source = (
        "bulk_register_customers(None, registrations, SOURCE)\n"
        "create_orders(None, chunk, validated=True)\n"
        "ensure_users(users, PASSWORD)\n"
        "cursor.execute('ANALYZE')\n"
        "done.add(3)\n"
        "self.mobiles.add(mobile)\n"
        "Customer.objects.filter(external_id__startswith=PREFIX).values_list('pk')\n"
    )
    assert writes_in(source) == []
