#!/usr/bin/env python3
"""Check rill's layering rule (DESIGN.md section 2, STYLE.md 2.2) on #include lines.

Each layer may include only itself and the layers below it:

    sync < core < sched < process < (signal, registry, time) < runtime < dist
        < (otp, testing) < observer

signal, registry and time are siblings: none may include another, and so are
otp and testing (the deterministic test kit, rill::testing). runtime ties the
layers together and sits right after them. Besides the order:

  * each header of include/rill/detail/ belongs to the layer that defines what it
    declares (DETAIL_LAYER below) and is checked as a public header of that
    layer, so a public template of a lower layer cannot call into a higher
    one through it; a detail header missing from the table is an error;
  * include/rill/fwd.hpp may be included from anywhere; include/rill/rill.hpp (the
    umbrella) only from dist and above; neither umbrella file is itself checked;
  * a public header (include/rill/...) never includes a private one (src/...);
  * otp, testing and observer are written only against include/rill/: they include no
    private header of another layer;
  * a layer's umbrella header include/rill/<layer>.hpp (<rill/testing.hpp>,
    later <rill/dist.hpp>, ...) belongs to that layer.

Files scanned: src/<layer>/**, include/rill/<layer>/** and the umbrella headers
include/rill/<layer>.hpp. Folders that are not
a known layer are reported and skipped, and layers that do not exist yet are
simply absent, so the check can run while the tree is being written.

Usage: tools/check_layering.py [--root DIR] [--verbose]
Exit status: 0 when clean, 1 on a violation, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

RANK = {
    "sync": 0,
    "core": 1,
    "sched": 2,
    "process": 3,
    "signal": 4,
    "registry": 4,
    "time": 4,
    "runtime": 5,
    "dist": 6,
    "otp": 7,
    "testing": 7,
    "observer": 8,
}
# The layer of each include/rill/detail/ header: where what it declares is defined.
DETAIL_LAYER = {
    "term_node.hpp": "core",
    "mailbox_node.hpp": "process",
    "payload_match.hpp": "process",
    "process_entry.hpp": "process",
    "timeout.hpp": "process",
    "signal_entry.hpp": "signal",
    "registry_entry.hpp": "registry",
}
UMBRELLA_RANK = RANK["runtime"]  # rill.hpp aggregates everything up to runtime
ONLY_PUBLIC_API = {"otp", "testing", "observer"}  # layers written only against include/rill/
SOURCE_SUFFIXES = {".hpp", ".cpp", ".h", ".cc", ".ipp", ".inl", ".tpp"}

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
BLOCK_COMMENT_RE = re.compile(r"/\*.*?\*/", re.DOTALL)


@dataclass(frozen=True)
class Place:
    """Where a file sits: kind is 'layer', 'detail', 'fwd', 'umbrella' or 'other'."""

    kind: str
    layer: str = ""
    public: bool = False

    def describe(self) -> str:
        if self.kind == "layer":
            return f"{'public' if self.public else 'private'} {self.layer}"
        return self.kind


def classify(path: Path, root: Path) -> Place:
    """Layer of a file from its path relative to the repository root."""
    try:
        parts = path.resolve().relative_to(root).parts
    except ValueError:
        return Place("other")
    if len(parts) >= 3 and parts[0] == "include" and parts[1] == "rill":
        if len(parts) == 3:
            name = parts[2]
            if name == "rill.hpp":
                return Place("umbrella", public=True)
            if name == "fwd.hpp":
                return Place("fwd", public=True)
            if name.endswith(".hpp") and name[: -len(".hpp")] in RANK:
                return Place("layer", name[: -len(".hpp")], public=True)  # <rill/testing.hpp>
            return Place("other", public=True)
        if parts[2] == "detail":
            layer = DETAIL_LAYER.get(parts[-1])
            if layer is None:
                return Place("unlisted-detail", public=True)
            return Place("layer", layer, public=True)
        if parts[2:] == ("runtime", "runtime_options.hpp"):
            # A plain options struct (core types only) that every layer of a
            # node reads; it sits with the runtime for users' sake.
            return Place("detail", public=True)
        if parts[2] in RANK:
            return Place("layer", parts[2], public=True)
        return Place("other", public=True)
    if len(parts) >= 3 and parts[0] == "src" and parts[1] in RANK:
        return Place("layer", parts[1], public=False)
    return Place("other")


def resolve(spelling: str, quoted: bool, including: Path, root: Path) -> Place:
    """Where an #include points. Files need not exist yet: the spelling decides."""
    candidates = []
    if quoted:
        candidates.append(including.parent / spelling)  # same folder first
        candidates.append(root / "src" / spelling)  # "sched/worker.hpp" style
    candidates.append(root / "include" / spelling)  # <rill/core/atom.hpp>
    for candidate in candidates:
        if candidate.exists():
            return classify(candidate, root)
    first = spelling.split("/", 1)[0]
    if quoted and first in (".", ".."):
        return classify(including.parent / spelling, root)
    if spelling.startswith("rill/"):
        return classify(root / "include" / spelling, root)
    if quoted and first in RANK:
        return Place("layer", first, public=False)
    if quoted and "/" not in spelling:
        return classify(including.parent / spelling, root)
    return Place("other")


def includes(path: Path):
    """(line number, spelling, quoted) for each #include outside comments."""
    text = path.read_text(encoding="utf-8", errors="replace")
    # Blank block comments but keep their newlines, so line numbers stay right.
    text = BLOCK_COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for number, line in enumerate(text.splitlines(), start=1):
        match = INCLUDE_RE.match(line.split("//", 1)[0])
        if match:
            yield number, match.group(2).strip(), match.group(1) == '"'


def violation(source: Place, target: Place) -> str | None:
    """Why `source` may not include `target`, or None when it may."""
    if target.kind == "unlisted-detail":
        return "every include/rill/detail/ header must be listed in DETAIL_LAYER with its layer"
    if target.kind in ("detail", "fwd", "other"):
        return None
    if source.public and not target.public:
        return "a public header must not include a private header from src/"
    if source.kind != "layer":
        return None  # detail and options headers may include any public header
    if target.kind == "umbrella":
        if RANK[source.layer] > UMBRELLA_RANK:
            return None
        return "only dist and the layers above it may include the umbrella <rill/rill.hpp>"
    if target.layer == source.layer:
        return None
    if source.layer in ONLY_PUBLIC_API and not target.public:
        return f"{source.layer} is written only against include/rill/ (no private headers)"
    source_rank, target_rank = RANK[source.layer], RANK[target.layer]
    if target_rank < source_rank:
        return None
    if target_rank == source_rank:
        return f"{source.layer} and {target.layer} are sibling layers"
    return f"{target.layer} is a higher layer than {source.layer}"


def scanned_files(root: Path, verbose: bool):
    """Files under the layer folders; unknown folders reported, then skipped."""
    tops = [(root / "src", False), (root / "include" / "rill", True)]
    detail = root / "include" / "rill" / "detail"
    if detail.is_dir():
        for path in sorted(detail.iterdir()):
            if path.suffix in SOURCE_SUFFIXES:
                yield path
    for top, public in tops:
        if not top.is_dir():
            continue
        for entry in sorted(top.iterdir()):
            if public and entry.is_file() and entry.suffix == ".hpp" and entry.stem in RANK:
                yield entry  # a layer's umbrella header
                continue
            if not entry.is_dir():
                continue
            if entry.name in RANK:
                for dirpath, _, filenames in os.walk(entry):
                    for name in sorted(filenames):
                        path = Path(dirpath) / name
                        if path.suffix in SOURCE_SUFFIXES:
                            yield path
            elif not (public and entry.name == "detail"):  # detail/ is scanned above
                print(
                    f"check_layering: note: {entry.relative_to(root)}/ is not a known layer; "
                    "not checked",
                    file=sys.stderr,
                )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=Path(__file__).resolve().parent.parent, type=Path,
                        help="repository root (default: the parent of tools/)")
    parser.add_argument("--verbose", action="store_true", help="list every checked file")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not (root / "src").is_dir() and not (root / "include").is_dir():
        print(f"check_layering: {root} has neither src/ nor include/", file=sys.stderr)
        return 2

    checked = 0
    errors = []
    for path in scanned_files(root, args.verbose):
        source = classify(path, root)
        checked += 1
        if args.verbose:
            print(f"check_layering: {path.relative_to(root)} ({source.describe()})")
        for number, spelling, quoted in includes(path):
            target = resolve(spelling, quoted, path, root)
            reason = violation(source, target)
            if reason:
                shown = f'"{spelling}"' if quoted else f"<{spelling}>"
                errors.append(
                    f"{path.relative_to(root)}:{number}: error: {source.describe()} includes "
                    f"{shown} ({target.describe()}): {reason}"
                )

    for error in errors:
        print(error)
    order = ("sync < core < sched < process < (signal, registry, time) < runtime < dist "
             "< (otp, testing) < observer")
    if errors:
        print(f"check_layering: {len(errors)} layering violation(s) in {checked} files; "
              f"allowed order: {order}")
        return 1
    print(f"check_layering: {checked} files checked, no layering violations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
