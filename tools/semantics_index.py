#!/usr/bin/env python3
"""Prints the S-number index of docs/semantics.md: for each behaviour S1..S75
of SEMANTICS.md, the tests whose names start with it.

    tools/semantics_index.py            # print the table
    tools/semantics_index.py --check    # fail if docs/semantics.md is stale
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_RE = re.compile(r"TEST(?:_F)?\((\w+),\s*(S(\d+)\w*)\)")
BEGIN = "<!-- semantics-index:begin -->"
END = "<!-- semantics-index:end -->"


def collect():
    found = {}
    for path in sorted((ROOT / "tests").rglob("*_test.cpp")):
        for match in TEST_RE.finditer(path.read_text(encoding="utf-8")):
            number = int(match.group(3))
            name = f"{match.group(1)}.{match.group(2)}"
            found.setdefault(number, []).append((name, path.relative_to(ROOT).as_posix()))
    return found


def table(found):
    lines = ["| S | status | tests |", "| --- | --- | --- |"]
    for number in range(1, 76):
        tests = found.get(number, [])
        if tests:
            status = "tested"
            cell = "<br>".join(f"`{name}` ({path})" for name, path in tests)
        elif number >= 69:
            status = "distribution: not yet"
            cell = "needs the Erlang distribution layer"
        else:
            status = "missing"
            cell = ""
        lines.append(f"| S{number} | {status} | {cell} |")
    return "\n".join(lines)


def main():
    generated = table(collect())
    if "--check" in sys.argv:
        doc = (ROOT / "docs" / "semantics.md").read_text(encoding="utf-8")
        current = doc.split(BEGIN, 1)[1].split(END, 1)[0].strip()
        if current != generated:
            print("docs/semantics.md is stale: run tools/semantics_index.py --write")
            return 1
        return 0
    if "--write" in sys.argv:
        path = ROOT / "docs" / "semantics.md"
        doc = path.read_text(encoding="utf-8")
        head, rest = doc.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        path.write_text(f"{head}{BEGIN}\n{generated}\n{END}{tail}", encoding="utf-8")
        return 0
    print(generated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
