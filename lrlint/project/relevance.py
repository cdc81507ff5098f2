"""Which files need lrlint's libcst model: a safe over-approximation decided on ast summaries.

A file's model can only report something if a tracked object (optimizer, scheduler, grad scaler)
is visible in it. Working on :class:`~lrlint.project.summary.Unit` s (a top-level definition, or
a module's own code) and the symbols they refer to:

* **tracked reference** (T1): a unit reads a name ``torch_api.classify`` knows, anything under
  ``torch.optim``, or a project/installed class that ``ProjectIndex.class_kind`` says derives
  from one, in code or in an annotation;
* **producer** (T2): a function whose return statements may hand back a tracked object or a
  producer's result (or something opaque, from a unit with a tracked reference); a class
  that is tracked, stores or returns such a result in its methods, or derives from a producer;
* **receiver** (T3): a function or class whose code acts on a received object (the receiver
  vocabulary ``.step``, ``.param_groups``, ``.get_last_lr`` ..., or ``state_dict``, ``save`` or
  ``.lr`` where a name says optimizer or scheduler), or passes what it received on to one.

A project file is relevant when a unit of it has a tracked reference, calls a producer function
(or, acting on the result, uses a producer class), or defines a receiver that a *bearing* unit
of a relevant file (one with a tracked reference, a producer use, or itself a receiver) hands a
tracked-looking argument: a name saying optimizer/scheduler/scaler, a local built by a tracked
class or producer, or (forwarding) its own parameter; a subclass hands its base ``self``.
Everything is computed to a fixpoint. Relevant files joined by these uses form components.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from lrlint.analysis.frameworks import HF_TRAINING_ARGUMENTS
from lrlint.analysis.torch_api import Kind, classify
from lrlint.project.index import ProjectIndex
from lrlint.project.summary import MODULE_UNIT, ModuleSummary, Unit

SymbolKey = tuple[str, str]  # (path, top-level name; "" for the module's own code)
TRACKED = ("", "")  # the source of a value built by a tracked torch class or factory
SELF = "self"  # the token a subclass passes to its base classes

# Receiver words precise enough alone, and those (also used on models) that need a name saying
# optimizer or scheduler in the same unit.
STRONG_VOCABULARY = frozenset({"step", "zero_grad", "param_groups", "get_lr", "get_last_lr",
                               "last_epoch", "base_lrs", "add_param_group", "unscale_", "_last_lr",
                               "step_update"})
WEAK_VOCABULARY = frozenset({"state_dict", "load_state_dict", "save", "scale", "update", "lr",
                             "optimizer", "defaults"})

# What the rules' vocabularies may look for in a file that sees a tracked object of a kind
# (see lrlint.prefilter.ScanCache's implied words).
_KIND_WORDS = {
    Kind.OPTIMIZER: (b"optim",),
    Kind.SCHEDULER: (b"optim", b"_schedule", b"lr_scheduler", b"LR"),
    Kind.SCALER: (b"GradScaler",),
}


def is_tracked_name(qualified: str) -> bool:
    """A torch/Hugging Face name lrlint tracks, or anything inside ``torch.optim``; also
    ``TrainingArguments``, whose schedule settings LR021/LR022 judge with no object in sight."""
    return (qualified == "torch.optim" or qualified.startswith("torch.optim.")
            or classify(qualified) is not None or qualified in HF_TRAINING_ARGUMENTS)


@dataclass
class UnitFacts:
    key: SymbolKey
    kind: str  # "function" | "class" | "module"
    tracked: bool = False  # a tracked reference read as a value
    annotated: bool = False  # ... only in an annotation
    tracked_class: bool = False
    acts: bool = False  # its own code acts on a received object
    returns_value: bool = False
    returns_opaque: bool = False
    deps: tuple[SymbolKey, ...] = ()  # project/installed symbols it reads
    sources: tuple[SymbolKey, ...] = ()  # what it returns (function) or holds (class)
    bases: tuple[SymbolKey, ...] = ()
    passes: dict[SymbolKey, frozenset] = field(default_factory=dict)
    words: frozenset[bytes] = frozenset()  # tracked class names and kind words it reads
    why: str = ""  # the first tracked name it reads, for reasons
    stopped: frozenset[str] = frozenset()  # files its lookups stopped at without parsing
    links: frozenset[str] = frozenset()  # files defining the tracked project classes it reads


@dataclass
class Relevance:
    """The outcome: relevant files and why, the uses joining them, the words they see."""

    relevant: dict[str, str] = field(default_factory=dict)  # path -> reason
    edges: dict[str, set[str]] = field(default_factory=dict)
    words: dict[str, frozenset[bytes]] = field(default_factory=dict)
    producers: set[SymbolKey] = field(default_factory=set)
    receivers: set[SymbolKey] = field(default_factory=set)
    reexports: set[SymbolKey] = field(default_factory=set)  # module-level tracked torch names


class RelevanceSolver:
    """Facts per unit, and the fixpoints over them.

    Facts are computed for every unit of the files added with :meth:`add` and, on demand, for
    the units those reach (what they read, return, hold, derive from or call): a module reached
    only through an import costs the facts of the units actually used. Facts stay valid while
    the index's parse filter only admits more files; :meth:`reset` drops them otherwise.
    """

    def __init__(self, index: ProjectIndex, project_files: set[str]) -> None:
        self.index = index
        self.project_files = project_files  # files that may be relevant (installed ones never)
        self.facts: dict[SymbolKey, UnitFacts] = {}
        self.units_of: dict[str, list[SymbolKey]] = {}
        self.eager: list[str] = []
        self._links: set[str] = set()
        self._expanded: set[str] = set()
        self._retry: list[SymbolKey] = []

    def add(self, paths) -> None:
        """Files whose every unit is considered (those a byte gate let through)."""
        self.eager.extend(paths)

    def reset(self) -> None:
        self.facts.clear()
        self.units_of.clear()
        self._expanded.clear()

    def invalidate(self, paths: set[str]) -> None:
        """Forget the facts whose lookups stopped at one of ``paths`` (now parsed)."""
        if not paths:
            return
        stale = [key for key, fact in self.facts.items() if fact.stopped & paths]
        for key in stale:
            del self.facts[key]
            self.units_of[key[0]].remove(key)
            self._retry.append(key)

    def _ensure_facts(self) -> None:
        work: list[SymbolKey] = self._retry
        self._retry = []
        for path in self.eager:
            if path in self._expanded:
                continue
            self._expanded.add(path)
            summary = self.index.summary_at(path)
            if summary is not None:
                work.extend((path, name) for name in summary.units)
        while work:
            key = work.pop()
            if key in self.facts or key is TRACKED:
                continue
            summary = self.index.summary_at(key[0])
            unit = summary.units.get(key[1]) if summary is not None else None
            if unit is None:
                continue
            with self.index.recording_stops() as stopped:
                fact = self._unit_facts(key, summary, unit)
            fact.stopped = frozenset(stopped)
            self.facts[key] = fact
            self.units_of.setdefault(key[0], []).append(key)
            work.extend(fact.deps)
            work.extend(fact.sources)
            work.extend(fact.bases)
            work.extend(fact.passes)

    def _unit_facts(self, key: SymbolKey, summary: ModuleSummary, unit: Unit) -> UnitFacts:
        self._links: set[str] = set()
        with self.index.known_only():  # producers and tracked classes live in parsed files
            facts = self._local_facts(key, summary, unit)
        for callee, tokens in unit.passes.items():  # a receiver can live anywhere
            with self.index.known_only():
                resolved = set()
                for token in tokens:
                    if token[0] == "=":
                        source = self._source(token[1:], summary, set())
                        if source is not None:
                            resolved.add(source)
                    else:
                        resolved.add(token)
            if not resolved:
                continue
            if "!" in resolved or TRACKED in resolved:  # surely hands one over: read the callee
                with self.index.unfiltered():
                    target = self._source(callee, summary, set())
            else:
                target = self._source(callee, summary, set())
            if target is None or target is TRACKED or target == key:
                continue
            facts.passes[target] = frozenset(resolved) | facts.passes.get(target, frozenset())
        for base in facts.bases:
            facts.passes[base] = facts.passes.get(base, frozenset()) | {SELF}
        facts.links = frozenset(self._links)
        return facts

    def _local_facts(self, key: SymbolKey, summary: ModuleSummary, unit: Unit) -> UnitFacts:
        path, name = key
        facts = UnitFacts(key, "module")
        words: set[bytes] = set()
        if name in summary.classes:
            facts.kind = "class"
            found = self.index.class_kind(f"{summary.name}.{name}", path) if summary.name else None
            if found is not None:
                facts.tracked_class = True
                words |= _words(found)
                facts.why = f"{name} is a {found[1]}"
            with self.index.anywhere():  # a base's methods act on this class's objects
                bases = [self._source(base, summary, words)
                         for base in summary.classes[name].bases if not base.startswith("?")]
            facts.bases = tuple(k for k in bases if k is not None and k is not TRACKED)
            facts.sources = self._sources(unit.holds, summary, words)
        elif name in summary.functions:
            function = summary.functions[name]
            facts.kind = "function"
            facts.returns_value = function.returns_value
            facts.returns_opaque = function.returns_opaque
            facts.sources = self._sources(function.returns, summary, words)
        vocabulary = unit.vocabulary
        facts.acts = bool(vocabulary & STRONG_VOCABULARY) or (
            unit.mentions and bool(vocabulary & WEAK_VOCABULARY))
        deps: dict[SymbolKey, None] = {}
        for ref in sorted(unit.refs):  # sorted: the same reason in every process
            self._reference(ref, summary, facts, deps, words, annotation=False)
        for ref in sorted(unit.annotation_refs):
            self._reference(ref, summary, facts, deps, words, annotation=True)
        deps.pop(key, None)
        facts.deps = tuple(deps)
        facts.words = frozenset(words)
        return facts

    def _sources(self, callees, summary: ModuleSummary, words: set) -> tuple[SymbolKey, ...]:
        found = (self._source(callee, summary, words) for callee in callees)
        return tuple(dict.fromkeys(k for k in found if k is not None))

    def _source(self, qualified: str, summary: ModuleSummary, words: set) -> SymbolKey | None:
        """TRACKED for a tracked torch/HF name or class, the symbol's key for a project or
        installed function or class, else None."""
        if is_tracked_name(qualified):
            words.update(_tracked_words(qualified))
            return TRACKED
        symbol, _, external = self.index.lookup(qualified, summary.path)
        if external is not None:
            if is_tracked_name(external):
                words.update(_tracked_words(external))
                return TRACKED
            return None
        if symbol is None or symbol.path is None or symbol.kind not in ("class", "function"):
            return None
        if symbol.kind == "class":
            found = self.index.class_kind(symbol.qualified, summary.path)
            if found is not None:
                words.update(_words(found))
                self._links.add(symbol.path)  # its definition is part of the model
                return TRACKED
        return (symbol.path, symbol.name.partition(".")[0])

    def _reference(self, ref: str, summary: ModuleSummary, facts: UnitFacts, deps: dict,
                   words: set, annotation: bool) -> None:
        candidates = [ref]
        if ref.startswith("?"):  # a bare name: a Hugging Face factory, or from a star import
            bare = ref[1:]
            if classify(bare) is not None:
                self._tracked(bare, facts, annotation)
                words.update(_words(classify(bare)))
                return
            candidates = [f"{star}.{bare}" for star in summary.star_imports]
        for candidate in candidates:
            source = self._source(candidate, summary, words)
            if source is TRACKED:
                self._tracked(candidate, facts, annotation)
                return
            if source is not None:
                if not annotation:
                    deps[source] = None
                return

    def _tracked(self, name: str, facts: UnitFacts, annotation: bool) -> None:
        if annotation:
            facts.annotated = True
        else:
            facts.tracked = True
        if not facts.why:
            facts.why = name

    # -- fixpoints ------------------------------------------------------------------------------

    def _producers(self) -> set[SymbolKey]:
        facts = self.facts
        producers: set[SymbolKey] = set()

        def produces(fact: UnitFacts) -> bool:
            if fact.kind == "class":
                return fact.tracked_class or any(s is TRACKED or s in producers
                                                 for s in (*fact.sources, *fact.bases))
            if fact.kind == "function" and fact.returns_value:
                if any(s is TRACKED or s in producers for s in fact.sources):
                    return True
                # ``return self.opt`` or a dict of what it built: count the builder itself
                return fact.returns_opaque and fact.tracked
            return False

        users: dict[SymbolKey, list[SymbolKey]] = {}
        for key, fact in facts.items():
            for dep in (*fact.sources, *fact.bases, *fact.deps):
                if dep in facts:
                    users.setdefault(dep, []).append(key)
        work = [key for key, fact in facts.items() if produces(fact)]
        producers.update(work)
        while work:
            for user in users.get(work.pop(), ()):
                if user not in producers and produces(facts[user]):
                    producers.add(user)
                    work.append(user)
        return producers

    def _receivers(self, producers: set[SymbolKey]) -> set[SymbolKey]:
        facts = self.facts
        receivers = {key for key, fact in facts.items() if fact.kind != "module" and fact.acts}
        callers: dict[SymbolKey, list[SymbolKey]] = {}
        for key, fact in facts.items():
            if fact.kind == "module":
                continue
            for target, tokens in fact.passes.items():
                if any(t in ("!", "^", SELF) or t is TRACKED or t in producers for t in tokens):
                    callers.setdefault(target, []).append(key)
        work = list(receivers)
        while work:
            for caller in callers.get(work.pop(), ()):
                if caller not in receivers:
                    receivers.add(caller)
                    work.append(caller)
        return receivers

    def solve(self) -> Relevance:
        self._ensure_facts()
        facts = self.facts
        producers = self._producers()
        receivers = self._receivers(producers)
        result = Relevance(producers=producers, receivers=receivers,
                           reexports=self._reexports())
        relevant = result.relevant

        def uses_producer(fact: UnitFacts) -> SymbolKey | None:
            for dep in fact.deps:
                if dep in producers and (facts[dep].kind == "function" or fact.acts
                                         or dep in fact.bases):
                    return dep
            return None

        def bearing(fact: UnitFacts) -> bool:
            return (fact.tracked or fact.annotated or fact.key in receivers
                    or uses_producer(fact) is not None)

        def hands(fact: UnitFacts, tokens: frozenset) -> bool:
            return any(t == "!" or t == SELF or t is TRACKED or t in producers
                       or (t == "^" and fact.key in receivers) for t in tokens)

        hands_to: dict[str, set[str]] = {}  # file -> files it hands tracked objects to
        pending: list[str] = []
        for path, keys in self.units_of.items():
            if path not in self.project_files:
                continue
            for key in keys:
                fact = facts[key]
                if fact.tracked or fact.annotated:
                    relevant[path] = f"reads {fact.why}"
                    break
                used = uses_producer(fact)
                if used is not None:
                    relevant[path] = f"uses {_describe(used)}"
                    break
            if path in relevant:
                pending.append(path)
        while pending:
            path = pending.pop()
            for key in self.units_of.get(path, ()):
                fact = facts[key]
                if not bearing(fact):
                    continue
                for dep in fact.deps:
                    if dep in producers and dep[0] in self.project_files and dep[0] != path:
                        _join(result.edges, path, dep[0])
                for other in fact.links:
                    if other in self.project_files and other != path:
                        _join(result.edges, path, other)
                for target, tokens in fact.passes.items():
                    other = target[0]
                    if other == path or other not in self.project_files:
                        continue
                    if target in receivers and hands(fact, tokens):
                        _join(result.edges, path, other)
                        hands_to.setdefault(path, set()).add(other)
                        if other not in relevant:
                            relevant[other] = f"{_describe(target)} acts on what {_short(path)} passes"
                            pending.append(other)
        result.words = self._words_by_file(relevant, producers, hands_to)
        return result

    def _reexports(self) -> set[SymbolKey]:
        """Names project modules bind at module level to tracked torch names (``from
        torch.optim import SGD``, ``Optimizer = torch.optim.Optimizer``): importers of such a
        name spell no torch word."""
        found = set()
        for path in self.units_of:
            if path not in self.project_files:
                continue
            summary = self.index.summaries().get(path)
            if summary is None:
                continue
            for local, target in (*summary.imports.items(), *summary.aliases.items()):
                if is_tracked_name(target):
                    found.add((path, local))
        return found

    def _words_by_file(self, relevant: dict[str, str], producers: set[SymbolKey],
                       hands_to: dict[str, set[str]]) -> dict[str, frozenset[bytes]]:
        """The tracked names each relevant file can see: its own reads, those of the producers
        it uses, and (to a fixpoint) those of the files that hand it objects."""
        memo: dict[SymbolKey, frozenset[bytes]] = {}

        def of(key: SymbolKey, depth: int = 0) -> frozenset[bytes]:
            if key in memo:
                return memo[key]
            memo[key] = frozenset()
            fact = self.facts.get(key)
            if fact is None or depth > 32:
                return memo[key]
            found = set(fact.words)
            for dep in (*fact.deps, *fact.sources, *fact.bases):
                if dep in producers:
                    found |= of(dep, depth + 1)
            memo[key] = frozenset(found)
            return memo[key]

        words = {path: set().union(*(of(key) for key in self.units_of.get(path, ())))
                 for path in relevant}
        work = list(hands_to)
        while work:
            path = work.pop()
            for other in hands_to.get(path, ()):
                if other in words and not words[path] <= words[other]:
                    words[other] |= words[path]
                    work.append(other)
        return {path: frozenset(found) for path, found in words.items()}


def _join(edges: dict[str, set[str]], a: str, b: str) -> None:
    edges.setdefault(a, set()).add(b)
    edges.setdefault(b, set()).add(a)


def _tracked_words(qualified: str) -> frozenset[bytes]:
    """The gates a tracked name stands for."""
    if qualified in HF_TRAINING_ARGUMENTS:
        return frozenset((b"optim", b"TrainingArguments"))
    return _words(classify(qualified))


def _words(found: tuple[Kind, str] | None) -> frozenset[bytes]:
    """The gates a tracked object of this kind and class stands for."""
    if found is None:
        return frozenset((b"optim",))
    kind, short = found
    words = {short.encode(), *_KIND_WORDS.get(kind, (b"optim",))}
    if kind is Kind.SCHEDULER and short[:1].islower():  # a Hugging Face factory: a LambdaLR
        words.add(b"LambdaLR")
    return frozenset(words)


def _describe(key: SymbolKey) -> str:
    path, name = key
    return f"{_short(path)}:{name}" if name else _short(path)


def _short(path: str) -> str:
    parent, name = os.path.split(path)
    return f"{os.path.basename(parent)}/{name}"


__all__ = ["MODULE_UNIT", "Relevance", "RelevanceSolver", "is_tracked_name"]
