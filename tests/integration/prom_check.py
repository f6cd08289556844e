"""prom_check: compare samples of a Prometheus text exposition (a scrape) with what a test
expects. Labels match whatever their order; values compare as numbers.

usage: /usr/bin/python3 prom_check.py LABEL FILE [SAMPLE VALUE]...
  SAMPLE is name{label="value",...} (or a bare name); VALUE a number, or "absent".
  One result line per pair: "ok - LABEL: SAMPLE = VALUE" or "not ok - ... (got X)".
Exit status 1 if any pair does not match.
"""
import re
import sys

import tap

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def key(name, labels):
    return name, frozenset(LABEL.findall(labels or ""))


def parse(text):
    samples = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        m = SAMPLE.match(line)
        if m:
            samples[key(m.group(1), m.group(2))] = float(m.group(3))
    return samples


def main(label, path, *pairs):
    result = tap.labelled(label)
    with open(path, encoding="utf-8") as f:
        samples = parse(f.read())
    for sample, want in zip(pairs[0::2], pairs[1::2]):
        m = SAMPLE.match(f"{sample} 0")
        got = samples.get(key(m.group(1), m.group(2))) if m else None
        good = got is None if want == "absent" else got is not None and got == float(want)
        result(good, f"{sample} = {want}", f"got {'absent' if got is None else repr(got)}")
    tap.done()


if __name__ == "__main__":
    main(*sys.argv[1:])
