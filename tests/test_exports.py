"""The public surface is `flexpolicy.__all__`; internals never leak into it."""

from __future__ import annotations

import importlib
import pkgutil
from importlib.resources import files

import flexpolicy

DESIGN_NAMES = {
    "load_policy",
    "load_policies",
    "Policy",
    "PolicySet",
    "Decision",
    "Customer",
    "LineItem",
    "Transaction",
    "Request",
    "Actor",
    "Situation",
    "FlexPolicyError",
    "PolicyError",
    "InputError",
}


def test_design_names_are_exported() -> None:
    assert set(flexpolicy.__all__) >= DESIGN_NAMES
    for name in flexpolicy.__all__:
        assert hasattr(flexpolicy, name), name


def test_all_is_sorted_and_unique() -> None:
    assert list(flexpolicy.__all__) == sorted(set(flexpolicy.__all__))


def test_no_internal_name_is_public() -> None:
    for name in flexpolicy.__all__:
        if name == "__version__":
            continue
        assert not name.startswith("_"), name
        obj = getattr(flexpolicy, name)
        module = getattr(obj, "__module__", "flexpolicy")
        assert not any(part.startswith("_") for part in module.split(".")[1:]), (name, module)


def test_public_module_attributes_are_declared() -> None:
    public = {"flexpolicy." + m.name for m in pkgutil.iter_modules(flexpolicy.__path__)}
    public = {m for m in public if not m.rsplit(".", 1)[1].startswith("_")}
    for module_name in sorted(public):
        module = importlib.import_module(module_name)
        declared = getattr(module, "__all__", None)
        assert declared is not None, f"{module_name} has no __all__"
        for name in declared:
            assert hasattr(module, name), (module_name, name)


def test_errors_share_one_base() -> None:
    assert issubclass(flexpolicy.PolicyError, flexpolicy.FlexPolicyError)
    assert issubclass(flexpolicy.InputError, flexpolicy.FlexPolicyError)


def test_py_typed_is_shipped() -> None:
    assert files("flexpolicy").joinpath("py.typed").is_file()


def test_public_modules_define_nothing_public_beyond_all() -> None:
    """A function or class a public module defines is in its `__all__`, or `_`-named:
    a helper under a public name reads as API (`policy.is_escalations_file` did)."""
    public = {"flexpolicy." + m.name for m in pkgutil.iter_modules(flexpolicy.__path__)}
    public = {m for m in public if not m.rsplit(".", 1)[1].startswith("_")}
    undeclared = []
    for module_name in sorted(public):
        module = importlib.import_module(module_name)
        declared = set(getattr(module, "__all__", ()))
        for name, obj in vars(module).items():
            defined_here = getattr(obj, "__module__", None) == module_name
            if defined_here and not name.startswith("_") and name not in declared:
                undeclared.append(f"{module_name}.{name}")
    assert not undeclared, undeclared
