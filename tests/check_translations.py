"""Lint step: every msgid of the Chinese catalogue is translated, appears once, and the compiled
catalogue holds exactly what the source says (a stale ``.mo`` after a merge silently showed English
on Chinese pages). Run as ``python -m tests.check_translations``."""

import gettext
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _unquote(entry: str, keyword: str) -> str | None:
    """The (possibly multi-line) string after ``keyword`` in a .po entry."""
    match = re.search(rf'^{keyword} "(.*)"\n((?:".*"\n?)*)', entry + "\n", re.M)
    if match is None:
        return None
    parts = [match.group(1), *re.findall(r'^"(.*)"$', match.group(2), re.M)]
    raw = "".join(parts)
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), raw)


def compiled_problems(entries: list[str]) -> list[str]:
    mo = PO.with_suffix(".mo")
    if not mo.exists():
        return ["django.mo is missing: run `make messages`"]
    with mo.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    problems, seen = [], set()
    for entry in entries:
        if "#~" in entry or "#, fuzzy" in entry:
            continue
        msgid = _unquote(entry, "msgid")
        if not msgid:
            continue
        context = _unquote(entry, "msgctxt")
        key = f"{context}\x04{msgid}" if context is not None else msgid
        if key in seen:
            problems.append(f"duplicate entry (a merge?): {msgid[:60]}")
        seen.add(key)
        if _unquote(entry, "msgid_plural") is not None:
            wanted, found = _unquote(entry, r"msgstr\[0\]"), catalog.get((key, 0))
        else:
            wanted, found = _unquote(entry, "msgstr"), catalog.get(key)
        if wanted and found != wanted:
            problems.append(f"django.mo does not match django.po (run `make messages`): {msgid[:60]}")
    return problems


def main() -> int:
    text = PO.read_text(encoding="utf-8")
    entries = re.split(r"\n\n+", text)
    problems = []
    for entry in entries[1:]:
        if "#~" in entry:
            continue
        if "#, fuzzy" in entry:
            problems.append(f"fuzzy: {entry.splitlines()[-2] if len(entry.splitlines()) > 1 else entry}")
        msgstrs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', entry, re.M)
        continuation = re.search(r'^msgstr(?:\[\d\])? ""\n"', entry, re.M)
        if msgstrs and all(not m for m in msgstrs) and not continuation:
            msgid = re.search(r'^msgid "(.*)"', entry, re.M)
            problems.append(f"untranslated: {msgid.group(1) if msgid else entry[:60]}")
    problems += compiled_problems(entries[1:])
    for problem in problems:
        print(f"locale/zh_Hans: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
