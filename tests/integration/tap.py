"""tap: the TAP-like result lines the Python test helpers print, and their count of failures.

    result(good, what, why)   prints "ok - WHAT" or "not ok - WHAT (WHY)"
    labelled(LABEL)           a result() whose lines read "ok - LABEL: WHAT"
    done()                    exits 1 if any result failed, else 0
"""
import sys

failed = 0


def result(good, what, why=""):
    global failed
    if good:
        print(f"ok - {what}")
    else:
        failed += 1
        print(f"not ok - {what}" + (f" ({why})" if why else ""))
    sys.stdout.flush()


def labelled(label):
    def labelled_result(good, what, why=""):
        result(good, f"{label}: {what}", why)
    return labelled_result


def done():
    sys.exit(1 if failed else 0)
