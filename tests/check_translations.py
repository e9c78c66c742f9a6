"""Lint step: every msgid of the Chinese catalogue is translated, and the compiled catalogue is
not older than its source. Run as ``python -m tests.check_translations``."""

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


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
    mo = PO.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime + 1 < PO.stat().st_mtime:
        problems.append("django.mo is missing or older than django.po: run `make messages`")
    for problem in problems:
        print(f"locale/zh_Hans: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
