#!/usr/bin/env python3
"""Writes a fuzz target's seed corpus from the vector files
(tests/data/etf-vectors.txt, etf-extra-vectors.txt):

  --kind etf        one file per hex field that holds a term (starts with 83),
                    plus the terms of the section-5 frames (after byte 70)
  --kind frame      each section-5 frame body ('p', control, payload)
  --kind acceptor   the initiator's handshake messages of section 6, in order,
                    after a first byte that picks the acceptor's answer (0: ok)
  --kind initiator  the acceptor's handshake messages of section 6, in order

Usage: make_etf_corpus.py --out DIR [--kind KIND] VECTOR_FILE...
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


def frames(path):
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) >= 4 and fields[-1].startswith("7083") and HEX.match(fields[-1]):
            yield fields[-1]
    # A run of fragments for the assembler (dist_frame_fuzz.cpp): 83 46,
    # then frames of a 16-bit length and a body. The message is the control
    # tuple {6, '', '', x} and the payload 1, without version bytes, in two
    # fragments of sequence 1.
    message = "6804610677007700770178" + "6101"
    first = "8345" + "0000000000000001" + "0000000000000002" + "00" + message[:8]
    rest = "8346" + "0000000000000001" + "0000000000000001" + message[8:]
    run = "".join(f"{len(body) // 2:04x}{body}" for body in (first, rest))
    yield "8346" + run
    # The same message whole, under a distribution header.
    yield "834400" + message


# Section 6 of etf-vectors.txt: who sends each captured handshake message.
INITIATOR_MESSAGES = ("send_name", "challenge_reply")
ACCEPTOR_MESSAGES = ("send_status", "send_challenge", "challenge_ack")


def handshake(path, names):
    wanted = {}
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if fields and fields[0] in names and HEX.match(fields[-1]):
            wanted[fields[0]] = fields[-1]
    if all(name in wanted for name in names):
        # The whole exchange, and each prefix of it.
        for count in range(1, len(names) + 1):
            yield "".join(wanted[name] for name in names[:count])


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--kind", default="etf",
                        choices=["etf", "frame", "acceptor", "initiator"])
    parser.add_argument("vectors", nargs="+")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in args.vectors:
        source = {
            "etf": lambda: seeds(path),
            "frame": lambda: frames(path),
            "acceptor": lambda: ("00" + h for h in handshake(path, INITIATOR_MESSAGES)),
            "initiator": lambda: handshake(path, ACCEPTOR_MESSAGES),
        }[args.kind]()
        for hex_text in source:
            (args.out / f"seed_{count:04d}").write_bytes(bytes.fromhex(hex_text))
            count += 1
    print(f"make_etf_corpus: {count} seeds in {args.out}")
    return 0 if count else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
