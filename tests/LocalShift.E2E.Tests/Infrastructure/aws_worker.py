"""A warm /usr/bin/aws: runs AWS CLI commands one at a time, each as a new `aws` process would run it.

Python's start-up and awscli's imports cost about half a second of CPU per `aws` process; this worker pays them once.
Each request is one JSON line on stdin:
    {"args": [...], "env": {NAME: VALUE, ...}, "cwd": "/dir", "stdin": "text" or null}
and gets one JSON line back on stdout:
    {"exit": N, "stdout": "...", "stderr": "..."}

Per request the worker does what a new process would get: os.environ is exactly the request's environment (with the
adjustments /usr/bin/aws and `import awscli` make to it), the working directory is the request's, file descriptors
0, 1 and 2 are pipes for the request's stdin, stdout and stderr (so native code, bytes written to
sys.stdout.buffer and files opened as /dev/stdout land there too), sys.argv is /usr/bin/aws's, and the command runs through the same entry point as
/usr/bin/aws (awscli.clidriver.AWSCLIEntryPoint, which builds a new driver and botocore session, and so reads
config, credentials and region again). Afterwards the process-wide state the CLI changes (loggers, warning filters,
the history recorder) is put back as it was after import, so nothing carries over to the next command.
"""
import io
import json
import logging
import os
import sys
import threading
import time
import traceback
import warnings

AWS = "/usr/bin/aws"


def main():
    # The protocol moves to private descriptors: 0, 1 and 2 belong to each command, as in a process of its own.
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    own_stderr = os.dup(2)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(own_stderr, 1)

    import awscli  # noqa: F401  (sets AWS_DATA_PATH from the environment at import, as in every `aws` process)
    import awscli.clidriver

    logging_baseline = _logging_state()
    stdio = (sys.stdin, sys.stdout, sys.stderr)
    replies.write(b'{"ready": true}\n')
    replies.flush()

    for line in requests:
        request = json.loads(line)
        try:
            reply = _run(request, awscli.clidriver.AWSCLIEntryPoint, stdio, devnull, own_stderr)
        except Exception as e:  # the request itself could not be set up (a missing working directory)
            reply = {"error": f"{type(e).__name__}: {e}"}
        _restore_logging(logging_baseline)
        # `cli_history = enabled` turns the global recorder on and gives it a handler for that command's database.
        awscli.clidriver.HISTORY_RECORDER._enabled = False
        awscli.clidriver.HISTORY_RECORDER._handlers = []
        replies.write(json.dumps(reply).encode("utf-8") + b"\n")
        replies.flush()


def _run(request, entry_point, stdio, devnull, own_stderr):
    _set_environment(request["env"])
    os.chdir(request["cwd"])
    sys.argv = [AWS, *request["args"]]

    # Pipes, as a process started by the test host has: a file opened as /dev/stdout appends to the same stream
    # (`aws lambda invoke ... /dev/stdout` prints the payload before the CLI's JSON), which a regular file would not.
    out, err = _Collector(), _Collector()
    if request.get("stdin") is not None:
        inp, feeder = _feed(request["stdin"].encode("utf-8"))
    else:
        inp, feeder = os.open(os.devnull, os.O_RDONLY), None
    os.dup2(inp, 0)
    os.dup2(out.write_end, 1)
    os.dup2(err.write_end, 2)
    os.close(inp)
    out.close_write_end()
    err.close_write_end()
    sys.stdin, sys.stdout, sys.stderr = (_like(s, fd) for s, fd in zip(stdio, (0, 1, 2)))
    try:
        with warnings.catch_warnings():  # the filters and "shown once" registries start fresh, as in a new process
            code = _exit_code(lambda: entry_point().main(request["args"]))
    finally:
        for s in (sys.stdout, sys.stderr):
            try:
                s.flush()
            except Exception:  # a closed or broken stream: what was written is in the pipe already
                pass
        sys.stdin, sys.stdout, sys.stderr = stdio
        # The command's ends close here, as at a process's exit: the collectors see end of file, an unread stdin
        # makes its feeder stop on a broken pipe.
        os.dup2(devnull, 0)
        os.dup2(own_stderr, 1)
        os.dup2(own_stderr, 2)
    if feeder is not None:
        feeder.join(5)
    return {"exit": code, "stdout": out.text(), "stderr": err.text()}


class _Collector:
    """The read end of a pipe, drained by a thread so a command can write more than a pipe holds."""

    def __init__(self):
        self._read_end, self.write_end = os.pipe()
        self._chunks = []
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def close_write_end(self):
        os.close(self.write_end)

    def _drain(self):
        while chunk := os.read(self._read_end, 1 << 16):
            self._chunks.append(chunk)
        os.close(self._read_end)

    def text(self):
        # A descriptor the command opened and left open (a thread still writing) would hold the pipe: do not hang.
        self._thread.join(10)
        # The test host decodes a process's output as UTF-8, replacing what is not.
        return b"".join(self._chunks).decode("utf-8", errors="replace")


def _feed(data):
    read_end, write_end = os.pipe()

    def write():
        try:
            with os.fdopen(write_end, "wb") as w:
                w.write(data)
        except BrokenPipeError:  # the command did not read it all
            pass

    feeder = threading.Thread(target=write, daemon=True)
    feeder.start()
    return read_end, feeder


def _exit_code(run):
    """The exit status a process running `sys.exit(run())` would end with."""
    try:
        code = run()
    except SystemExit as e:
        code = e.code
    except BaseException:
        traceback.print_exc()
        return 1
    if code is None:
        return 0
    if not isinstance(code, int):
        print(code, file=sys.stderr)
        return 1
    return code & 0xFF


def _set_environment(env):
    os.environ.clear()
    os.environ.update(env)
    # What /usr/bin/aws does before importing awscli ...
    if os.environ.get("LC_CTYPE", "") == "UTF-8":
        os.environ["LC_CTYPE"] = "en_US.UTF-8"
    # ... and what `import awscli` does: the CLI's data directory after any AWS_DATA_PATH the caller set.
    paths = []
    if "AWS_DATA_PATH" in os.environ:
        paths = [os.path.expanduser(os.path.expandvars(p)) for p in os.environ["AWS_DATA_PATH"].split(os.pathsep)]
    import awscli
    paths.append(os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)), "data"))
    os.environ["AWS_DATA_PATH"] = os.pathsep.join(paths)
    time.tzset()


def _like(stream, fd):
    """A new text stream on fd with the encoding and buffering Python gave the original one at start-up."""
    mode = "r" if fd == 0 else "w"
    raw = io.FileIO(fd, mode, closefd=False)
    buffered = io.BufferedReader(raw) if fd == 0 else io.BufferedWriter(raw)
    return io.TextIOWrapper(buffered, encoding=stream.encoding, errors=stream.errors, newline="\n",
                            line_buffering=stream.line_buffering, write_through=getattr(stream, "write_through", False))


def _logging_state():
    loggers = [logging.getLogger()] + [l for l in logging.root.manager.loggerDict.values() if isinstance(l, logging.Logger)]
    return {l.name: (l, l.level, list(l.handlers), l.propagate, l.disabled) for l in loggers}


def _restore_logging(baseline):
    """Loggers as they were after import: --debug and the CLI's own stream handlers do not outlive their command."""
    for logger in [logging.getLogger()] + list(logging.root.manager.loggerDict.values()):
        if not isinstance(logger, logging.Logger):
            continue
        _, level, handlers, propagate, disabled = baseline.get(logger.name, (logger, logging.NOTSET, [], True, False))
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate = propagate
        logger.disabled = disabled
    logging.disable(logging.NOTSET)


if __name__ == "__main__":
    main()
