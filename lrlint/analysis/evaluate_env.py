"""A simple ``EvalEnv``: names from mappings, or from a module's top-level statements.

The linter's own module model resolves scopes and control flow; this one is for tests,
tools and snippets (``lrlint explain`` on a lambda typed at the prompt): it knows the
module's imports, its top-level ``def``s, and its top-level names assigned exactly once.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from lrlint.analysis.evaluate import BUILTIN, Unknown, evaluate_binding, function_value
from lrlint.analysis.evaluate_scope import bound_names, dotted_name


class MappingEnv:
    """``values``: name -> value (plain data, FunctionValue or Unknown); ``imports``: local
    name -> dotted import target (``{"np": "numpy", "cos": "math.cos"}``)."""

    def __init__(self, values: Mapping[str, object] | None = None,
                 imports: Mapping[str, str] | None = None) -> None:
        self.values = dict(values or {})
        self.imports = dict(imports or {})
        self._definitions: dict[str, cst.CSTNode] = {}
        self._in_progress: set[str] = set()

    @classmethod
    def from_module(cls, module: cst.Module) -> MappingEnv:
        env = cls()
        assigned_once: dict[str, int] = {}
        for statement in module.body:
            for name in bound_names([statement]).bound:
                assigned_once[name] = assigned_once.get(name, 0) + 1
        for statement in module.body:
            env._record(statement, assigned_once)
        return env

    def _record(self, statement: cst.CSTNode, counts: dict[str, int]) -> None:
        if type(statement) is cst.FunctionDef:
            self._definitions[statement.name.value] = statement
            return
        if type(statement) is not cst.SimpleStatementLine:
            return
        for small in statement.body:
            if type(small) is cst.Import:
                for alias in small.names:
                    full = alias.evaluated_name
                    self.imports[alias.evaluated_alias or full.partition(".")[0]] = (
                        full if alias.asname else full.partition(".")[0])
            elif type(small) is cst.ImportFrom and not small.relative and small.module \
                    and not isinstance(small.names, cst.ImportStar):
                module = dotted_name(small.module)
                for alias in small.names:
                    local = alias.evaluated_alias or alias.evaluated_name
                    self.imports[local] = f"{module}.{alias.evaluated_name}"
            elif type(small) is cst.Assign and len(small.targets) == 1 \
                    and type(small.targets[0].target) is cst.Name:
                name = small.targets[0].target.value
                if counts.get(name) == 1:
                    self._definitions[name] = small.value

    def lookup(self, name: str, node: cst.CSTNode) -> object:
        if name in self.values:
            return self.values[name]
        definition = self._definitions.get(name)
        if definition is not None:
            return self._evaluate_definition(name, definition)
        if name in self.imports:
            return Unknown(f"'{name}' is imported from {self.imports[name]}")
        return BUILTIN

    def _evaluate_definition(self, name: str, definition: cst.CSTNode) -> object:
        if name in self._in_progress:
            return Unknown(f"'{name}' is defined in terms of itself")
        self._in_progress.add(name)
        try:
            if type(definition) is cst.FunctionDef:
                value = function_value(definition, self)
            else:
                value = evaluate_binding(definition, self)  # type: ignore[arg-type]
        finally:
            self._in_progress.discard(name)
        self.values[name] = value
        return value

    def qualified_name(self, expr: cst.BaseExpression) -> str | None:
        dotted = dotted_name(expr)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head in self.values or head in self._definitions:
            return None
        base = self.imports.get(head)
        if base is None:
            return None
        return f"{base}.{rest}" if rest else base

