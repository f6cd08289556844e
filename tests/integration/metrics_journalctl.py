"""A stand-in for journalctl in metrics.test (no journald runs there): serves the lines of the
file named by $JOURNAL_SOURCE as `journalctl -o json` records, each with a __CURSOR, honouring
--after-cursor=; every command line it was given is appended to $JOURNAL_ARGS."""
import json
import os
import sys

with open(os.environ["JOURNAL_ARGS"], "a", encoding="utf-8") as f:
    f.write(" ".join(sys.argv[1:]) + "\n")
after = next((int(a.split("=c", 1)[1]) for a in sys.argv if a.startswith("--after-cursor=c")), 0)
with open(os.environ["JOURNAL_SOURCE"], encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        if n > after:
            print(json.dumps({"__CURSOR": f"c{n}", "SYSLOG_IDENTIFIER": "vws-echo",
                              "MESSAGE": line.split(" ", 1)[1].rstrip("\n")}))
