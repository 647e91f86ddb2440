/*
 * The Python program of the warm Checkov worker, run by the interpreter of the Checkov installation
 * (`python -c WORKER_PROGRAM`). Importing Checkov is nearly all of a scan's time; the worker imports it once, then
 * forks a child per scan, so every scan starts from the same freshly imported state (Checkov keeps registries and
 * report state in module globals, and a second in-process run reports the first one's results) at the cost of a
 * fork, not an import.
 *
 * Protocol, one JSON object per line: the worker prints {"ready": true, "version": "…"} once Checkov is imported
 * (or {"ready": false, "error": "…"} and exits); then for each request {"id", "cwd", "home", "args"} on stdin it
 * runs `checkov <args>` in a child whose working directory and HOME are the scan's own directory, with stdout and
 * stderr in `cwd/stdout.json` and `cwd/stderr.txt`, and prints {"id", "exit"} (a negative exit is the signal that
 * ended the child). End of stdin ends the worker; it leads its own process group, so killing the group also ends a
 * scan in progress.
 */
export const WORKER_PROGRAM = String.raw`
import json, os, sys, warnings

def say(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()

try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=SyntaxWarning)
        from checkov.main import Checkov
        from checkov.version import version
except BaseException as error:
    say({"ready": False, "error": "%s: %s" % (type(error).__name__, error)})
    sys.exit(3)

say({"ready": True, "version": version})

def scan(request):
    out = os.open(os.path.join(request["cwd"], "stdout.json"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err = os.open(os.path.join(request["cwd"], "stderr.txt"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            os.dup2(out, 1)
            os.dup2(err, 2)
            sys.stdin.close()
            sys.stdout = os.fdopen(1, "w", closefd=False)
            sys.stderr = os.fdopen(2, "w", closefd=False)
            os.chdir(request["cwd"])
            os.environ["HOME"] = request["home"]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", category=SyntaxWarning)
                result = Checkov(request["args"]).run()
            code = result if isinstance(result, int) else 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
        except BaseException as error:
            sys.stderr.write("%s: %s\n" % (type(error).__name__, error))
            code = 3
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    os.close(out)
    os.close(err)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)

for line in sys.stdin:
    request = json.loads(line)
    say({"id": request["id"], "exit": scan(request)})
`
