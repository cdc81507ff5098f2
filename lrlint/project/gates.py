"""Byte tests that decide which files the project index parses with ``ast`` at all.

Three doors, each a necessary condition checked on raw bytes:

* :func:`spells_torch`: a file can only name a tracked torch or Hugging Face class or factory
  by spelling ``optim`` as a word in code (``torch.optim``, ``from torch import optim``), a
  Hugging Face schedule factory's name, or ``GradScaler``. (Scheduler classes live in
  ``torch.optim.lr_scheduler``: reaching them spells ``optim`` too.) A project module that
  re-exports torch's names (``from torch.optim import SGD``) passes, and its importers are
  found by name, like a producer's.
* an installed package's optimizer or scheduler (``from apex.optimizers import FusedAdam``):
  the file passes the root gates and imports a module that is neither the project's, the
  standard library's nor torch's (:func:`imported_modules`).
* a project's own tracked class or factory: the file spells its name (:class:`NameScan`); the
  names come from the index as it learns the project.

Files reached through an import of a relevant file are read and parsed when a lookup needs them,
whatever their bytes.
"""

from __future__ import annotations

import re

from lrlint.analysis.frameworks import HF_TRAINING_ARGUMENTS
from lrlint.analysis.torch_api import HF_SCHEDULES
from lrlint.prefilter import OutsideStrings

# Literal-first patterns (Python's ``re`` scans fast only for a literal prefix); the word
# boundary before a match is checked by hand.
_OPTIM_WORD = re.compile(rb"optim(?!\w)")
_HF_FACTORY = re.compile(
    rb"get_(?:scheduler|"
    + b"|".join(re.escape(name[4:].encode()) for name in sorted(HF_SCHEDULES, key=len, reverse=True))
    + rb")(?!\w)"
)
# Hugging Face's TrainingArguments (and TRL's configs): LR021/LR022 judge their schedule settings.
_HF_ARGUMENTS = re.compile(
    b"|".join(sorted({name.rpartition(".")[2].encode() for name in HF_TRAINING_ARGUMENTS})))
_IMPORT_LINE = re.compile(rb"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import|import[ \t]+([\w., \t]+))",
                          re.MULTILINE)
_TORCH_ALIAS = re.compile(rb"import[ \t]+torch[ \t]+as[ \t]+(\w+)")
_IN_CODE = OutsideStrings(_OPTIM_WORD)
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_WORD_CHARS = {bytes([c]) for c in _WORD_BYTES}


def spells_torch(data: bytes) -> bool:
    """Whether the bytes can name a tracked torch or Hugging Face class or factory: ``optim``
    as a word in code (not after another package's dot, ``fairseq.optim``; not in a comment or
    a quoted dotted name), ``GradScaler``, a Hugging Face factory's name, or
    ``TrainingArguments`` (TRL's ``SFTConfig`` ...)."""
    if b"GradScaler" in data or _HF_ARGUMENTS.search(data):
        return True
    if b"optim" in data and _torch_optim(data):
        return True
    return b"_schedule" in data and _first_word(_HF_FACTORY, data)


def _torch_optim(data: bytes) -> bool:
    aliases = None
    for match in _OPTIM_WORD.finditer(data):
        start = match.start()
        if start and data[start - 1] in _WORD_BYTES:
            continue
        if start and data[start - 1] == 0x2E:  # "x.optim": torch's only when x is torch
            end = start - 1
            begin = end
            while begin > 0 and data[begin - 1] in _WORD_BYTES:
                begin -= 1
            if aliases is None:
                aliases = {b"torch", *_TORCH_ALIAS.findall(data)}
            if data[begin:end] not in aliases:
                continue
        if _IN_CODE._is_code(data, match):
            return True
    return False


def _first_word(pattern: re.Pattern[bytes], data: bytes) -> bool:
    """A match of ``pattern`` that starts a word."""
    for match in pattern.finditer(data):
        start = match.start()
        if start == 0 or data[start - 1] not in _WORD_BYTES:
            return True
    return False


def imported_modules(data: bytes) -> set[str]:
    """Top-level names of the absolute imports written at line starts (over-approximate:
    import lines inside strings count too; relative imports are the project's own)."""
    found: set[str] = set()
    for match in _IMPORT_LINE.finditer(data):
        module, names = match.groups()
        if module is not None:
            if not module.startswith(b"."):  # relative: the project's own
                found.add(module.split(b".")[0].decode("ascii", "replace"))
        else:
            for item in names.split(b","):
                word = item.strip().split(b" ")[0].split(b".")[0]
                if word:
                    found.add(word.decode("ascii", "replace"))
    return found


_TOP_LEVEL = re.compile(rb"^(?:@|def[ \t]|async[ \t]|class[ \t]|if[ \t]+__name__)", re.MULTILINE)


def definition_text(data: bytes, name: str) -> bytes | None:
    """The text of the top-level ``def name``/``class name`` up to the next top-level def,
    class, decorator or main guard; None when ``name`` is not defined so (assigned, imported,
    defined twice or inside an ``if``), or when triple quotes are unbalanced before or inside
    it (a definition-looking line inside a string)."""
    word = name.encode()
    starts = [start for keyword in (b"def ", b"class ", b"async def ")
              for start in _line_starts(data, keyword + word)
              if data[start + len(keyword) + len(word):][:1] not in _WORD_CHARS]
    if len(starts) != 1:
        return None
    start = starts[0]
    following = _TOP_LEVEL.search(data, data.find(b"\n", start) + 1 or len(data))
    end = following.start() if following else len(data)
    for text in (data[:start], data[start:end]):
        if text.count(b'"""') % 2 or text.count(b"\'\'\'") % 2:
            return None
    return data[start:end]


def _line_starts(data: bytes, needle: bytes) -> list[int]:
    """Offsets where ``needle`` starts a line."""
    found = []
    at = data.find(needle)
    while at >= 0:
        if at == 0 or data[at - 1] == 0x0A:
            found.append(at)
        at = data.find(needle, at + 1)
    return found


_FROM_IMPORT = re.compile(rb"from[ \t]+\.*[\w.]*[ \t]+import[ \t]*(\([^)]*\)|[^\n]*)")
_STAR_IMPORT = re.compile(rb"import[ \t]*\*")


def imported_names(data: bytes) -> set[str]:
    """The names ``from ... import`` statements bind (before ``as``; parenthesised lists
    across lines included)."""
    found: set[str] = set()
    for match in _FROM_IMPORT.finditer(data):
        for item in match.group(1).strip(b"()").replace(b"\\", b" ").split(b","):
            word = item.strip().split(b" ")[0].split(b"#")[0].strip()
            if word:
                found.add(word.decode("ascii", "replace"))
    return found


class NameScan:
    """Which files can refer to one of a project's names (producers or receivers).

    A file refers to a name ``N`` defined in module ``a.b.c`` only by importing it (``from ...
    import N``), through a star import, or as an attribute of its module or package (``c.N``,
    ``b.N``): ``.N`` together with one of the module's inner names. One compiled regex finds the
    files that spell any name at all (``re`` checks the first byte of every alternative with one
    character set); the import context is checked on those alone.
    """

    def __init__(self, names: dict[str, set[str]]) -> None:
        """``names``: name -> the words of the modules defining it (``{"b", "c"}``)."""
        self.modules = {n: words for n, words in names.items() if n.isidentifier()}
        words = sorted(self.modules, key=len, reverse=True)
        self.names = frozenset(words)
        self._regex = (re.compile(b"(?:" + b"|".join(re.escape(w.encode()) for w in words)
                                  + rb")(?!\w)") if words else None)
        self._words = {word: re.compile(re.escape(word.encode()) + rb"(?!\w)")
                       for module_words in self.modules.values() for word in module_words}

    def __bool__(self) -> bool:
        return self._regex is not None

    def matches(self, data: bytes) -> bool:
        if self._regex is None:
            return False
        spelled = set()
        for match in self._regex.finditer(data):
            start = match.start()
            if start == 0 or data[start - 1] not in _WORD_BYTES:
                spelled.add(match.group().decode())
        if not spelled:
            return False
        if _STAR_IMPORT.search(data) or spelled & imported_names(data):
            return True
        for name in spelled:
            if b"." + name.encode() in data and any(
                    _first_word(self._words[word], data) for word in self.modules[name]):
                return True
        return False
