"""The query and form parameters code reads, found in its source (so a new one is covered without
editing a test): ``request.GET.get("q")``, ``.getlist``, ``request.POST["x"]``, ``"t" in
request.GET``, names listed in constants ending in ``_KEYS`` or ``_PARAMETERS`` (and in an
``api_view(query=...)``), and the fields of the Django forms a module uses."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from functools import cache
from types import ModuleType

from django import forms

PACKAGES = ("kefu", "tenants", "billing")
_CARRIERS = frozenset({"GET", "POST", "data", "query_params"})
_READS = frozenset({"get", "getlist", "pop", "__getitem__"})


@cache
def module_parameters(module: ModuleType) -> frozenset[str]:
    """The parameters ``module``'s source reads, and the fields of the forms it names."""
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return frozenset()
    found = {name for node in ast.walk(tree) for name in _names_read(node)}
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, forms.BaseForm):
            found.update(_form_fields(value))
    return frozenset(found)


def all_parameters() -> frozenset[str]:
    """Every parameter read anywhere in Kefu's packages."""
    return frozenset(name for module in _our_modules() for name in module_parameters(module))


def _names_read(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        carrier = node.func.value
        if node.func.attr in _READS and _is_carrier(carrier) and node.args:
            return _strings(node.args[0])
        return [name for kw in node.keywords if kw.arg == "query" for name in _strings(kw.value)]
    if isinstance(node, ast.Subscript) and _is_carrier(node.value):
        return _strings(node.slice)
    if (
        isinstance(node, ast.Compare)
        and any(isinstance(op, ast.In) for op in node.ops)
        and any(_is_carrier(side) for side in node.comparators)
    ):
        return _strings(node.left)
    if isinstance(node, ast.Assign) and any(
        isinstance(target, ast.Name) and target.id.endswith(("_KEYS", "_PARAMETERS"))
        for target in node.targets
    ):
        return _strings(node.value)
    return []


def _is_carrier(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in _CARRIERS


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [name for item in node.elts for name in _strings(item)]
    if isinstance(node, ast.Call):  # frozenset({...}), tuple([...])
        return [name for argument in node.args for name in _strings(argument)]
    return []


def _form_fields(form_class: type[forms.BaseForm]) -> list[str]:
    names = list(form_class.base_fields)
    prefix = getattr(form_class, "prefix", None)
    return [f"{prefix}-{name}" for name in names] if prefix else names


def _our_modules() -> list[ModuleType]:
    modules = []
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if ".migrations." in info.name or info.name.endswith((".asgi", ".wsgi")):
                continue
            if ".settings." in info.name:
                continue
            modules.append(importlib.import_module(info.name))
    return modules
