"""Exit 0 when two batch folders hold the same files with the same bytes, each run's
manifest.json apart from what differs between two executions of the same run (its wall time,
its thread count and the process's peak memory; README, "Batches"); else name what differs.

usage: python3 same_batch.py EXPECTED ACTUAL [--ignore NAME]...
"""

import argparse
import json
import sys
from pathlib import Path

EXECUTION_FIELDS = ("wall_time_seconds", "threads", "peak_resident_bytes")


def comparable(root: Path, ignore: list) -> dict:
    files = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name not in ignore):
        data = path.read_bytes()
        if path.name == "manifest.json":
            manifest = json.loads(data)
            for field in EXECUTION_FIELDS:
                manifest.pop(field, None)
            data = json.dumps(manifest, sort_keys=True).encode()
        files[path.relative_to(root)] = data
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("expected", type=Path)
    parser.add_argument("actual", type=Path)
    parser.add_argument(
        "--ignore", action="append", default=[], help="a file name to leave out (repeatable)"
    )
    args = parser.parse_args()
    expected = comparable(args.expected, args.ignore)
    actual = comparable(args.actual, args.ignore)
    problems = [f"only in {args.expected}: {p}" for p in expected.keys() - actual.keys()]
    problems += [f"only in {args.actual}: {p}" for p in actual.keys() - expected.keys()]
    problems += [
        f"differs: {p}" for p in sorted(expected.keys() & actual.keys()) if expected[p] != actual[p]
    ]
    if not expected:
        problems.append(f"{args.expected} holds no files")
    for problem in sorted(problems):
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"{args.actual}: {len(expected)} files, byte for byte those of {args.expected}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
