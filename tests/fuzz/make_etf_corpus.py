#!/usr/bin/env python3
"""Writes the seed corpus of etf_decode_fuzz: one file per hex field of
tests/data/etf-vectors.txt and etf-extra-vectors.txt that holds a term
(starts with 83), plus the terms of the section-5 frames (after byte 70).

Usage: make_etf_corpus.py --out DIR VECTOR_FILE...
"""

import argparse
import pathlib
import re
import sys

HEX = re.compile(r"^(?:[0-9a-f]{2})+$")


def seeds(path):
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        for field in fields[1:]:
            if not HEX.match(field):
                continue
            if field.startswith("83"):
                yield field
            elif field.startswith("7083"):
                yield field[2:]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("vectors", nargs="+")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in args.vectors:
        for hex_text in seeds(path):
            (args.out / f"seed_{count:04d}").write_bytes(bytes.fromhex(hex_text))
            count += 1
    print(f"make_etf_corpus: {count} seeds in {args.out}")
    return 0 if count else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
