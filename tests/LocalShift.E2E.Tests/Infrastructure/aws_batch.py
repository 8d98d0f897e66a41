"""Runs many AWS CLI commands in one Python process, through the CLI's own driver (the code /usr/bin/aws runs).

Reads {"endpoint": URL, "commands": [[arg, ...], ...]} as JSON on stdin; writes a JSON list of
{"exit": N, "stdout": "...", "stderr": "..."} in the same order. The credentials and settings come from the
environment, as for /usr/bin/aws. A Python start-up costs more than most calls, so a test making a hundred calls runs
them here rather than as a hundred processes.
"""
import contextlib
import io
import json
import sys

from awscli.clidriver import create_clidriver


def main():
    request = json.load(sys.stdin)
    results = []
    for args in request["commands"]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = create_clidriver().main(["--endpoint-url", request["endpoint"], *args])
            except SystemExit as e:  # argument errors exit as the CLI does
                code = e.code if isinstance(e.code, int) else 255
        results.append({"exit": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
    json.dump(results, sys.__stdout__)


if __name__ == "__main__":
    main()
