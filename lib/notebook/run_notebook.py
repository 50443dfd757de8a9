"""Execute one notebook through a Jupyter kernel with nbclient and save it with its outputs.

Used by `nanomorph reproduce` (lib/notebook/runner.ts); run with a Python that has nbclient
(Debian: /usr/bin/python3 + python3-nbclient) and JUPYTER_PATH pointing at the project kernelspec.

usage: run_notebook.py NOTEBOOK OUTPUT --result RESULT.json [--kernel tslab] [--timeout SEC] [--cwd DIR]

- Prints one line per executed code cell to stderr, then that cell's stream output (trimmed).
- Writes OUTPUT atomically (temp file + rename) whether the run passed or failed, so the executed
  copy shows how far it got.
- Writes RESULT.json: {"ok", "wall_s", "peak_mb", "cells": [{"index", "number", "seconds", "status",
  "peak_mb"}], "failed": null | {"index", "number", "kind", "message", "source_head", "source"}}.
  `peak_mb` is the kernel process's peak resident memory (VmHWM, MiB) while that cell ran: the mark
  is reset before each cell through /proc/PID/clear_refs (Linux); null where /proc is not there. `index` is 0-based over all cells, `number`
  is 1-based as a person counts them in Jupyter. tslab reports errors as a stderr stream with an
  empty ename/evalue, so `message` joins the failing cell's stderr streams with any error output.
- Exit code: 0 ok, 1 a cell failed / timed out / the kernel died, 2 bad usage or unreadable notebook.
"""
import argparse
import json
import logging
import os
import sys
import tempfile
import time

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
except ImportError as e:  # the TS side checks first; this is the fallback message
    sys.stderr.write(f"run_notebook.py: {e}. Install python3-nbclient (apt) or nbclient (pip).\n")
    sys.exit(2)

# nbclient leaves a pending output-poll task behind after a cell timeout; asyncio would print
# "Task was destroyed but it is pending!" at exit. It is harmless noise here.
logging.getLogger("asyncio").setLevel(logging.CRITICAL)

# How much of each cell's stream output to echo to stderr (0: none).
MAX_ECHO = int(os.environ.get("NANOMORPH_ECHO_CHARS", "4000"))


def atomic_write(nb, path):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".ipynb", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def cell_text(cell, streams=("stdout", "stderr")):
    parts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream" and o.get("name") in streams:
            parts.append(o.get("text", ""))
    return "".join(parts)


def error_text(cell):
    parts = [cell_text(cell, ("stderr",)).strip()]
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            head = f"{o.get('ename', '')}: {o.get('evalue', '')}".strip(": ")
            if head:
                parts.append(head)
            tb = "\n".join(o.get("traceback") or [])
            if tb.strip():
                parts.append(tb)
    text = "\n".join(p for p in parts if p)
    return text or "(the kernel reported an error without a message)"


def kernel_pid(client):
    """The kernel process id (the node process: our kernelspec `exec`s it), or None."""
    km = getattr(client, "km", None)
    for getter in (lambda: km.provisioner.process.pid, lambda: km.kernel.pid):
        try:
            pid = getter()
            if pid:
                return int(pid)
        except Exception:
            pass
    return None


def reset_peak(pid):
    """Reset the kernel's peak-RSS mark (Linux: writing 5 to clear_refs); False when not possible."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except Exception:
        return False


def peak_mb(pid):
    """Peak resident memory (VmHWM) of a process in MiB, or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except Exception:
        pass
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebook")
    ap.add_argument("output")
    ap.add_argument("--result", required=True)
    ap.add_argument("--kernel", default="tslab")
    ap.add_argument("--timeout", type=int, default=600, help="per-cell timeout in seconds (<=0: none)")
    ap.add_argument("--startup-timeout", type=int, default=120)
    ap.add_argument("--cwd", default=None)
    args = ap.parse_args()

    try:
        nb = nbformat.read(args.notebook, as_version=4)
    except Exception as e:
        sys.stderr.write(f"run_notebook.py: cannot read {args.notebook}: {e}\n")
        sys.exit(2)

    name = os.path.basename(args.notebook)
    code_total = sum(1 for c in nb.cells if c.cell_type == "code" and c.source.strip())
    state = {"current": None, "t0": None, "done": 0, "pid": None, "overall": None}
    timings = []

    def on_cell_execute(cell, cell_index):
        state["current"] = cell_index
        if state["pid"] is None:
            state["pid"] = kernel_pid(client) or 0
        if state["pid"]:
            before = peak_mb(state["pid"])  # the peak so far, before the mark is reset
            if before is not None:
                state["overall"] = max(state["overall"] or 0, before)
            reset_peak(state["pid"])
        state["t0"] = time.monotonic()

    def on_cell_executed(cell, cell_index, execute_reply):
        dt = time.monotonic() - state["t0"]
        state["done"] += 1
        status = execute_reply["content"].get("status", "?") if execute_reply else "?"
        mem = peak_mb(state["pid"]) if state["pid"] else None
        if mem is not None:
            state["overall"] = max(state["overall"] or 0, mem)
        timings.append({"index": cell_index, "number": cell_index + 1, "seconds": round(dt, 3), "status": status, "peak_mb": mem})
        sys.stderr.write(f"  [{name}] cell {cell_index + 1} ({state['done']}/{code_total} code) {status} {dt:.2f}s\n")
        text = cell_text(cell)
        if text.strip() and MAX_ECHO > 0:
            if len(text) > MAX_ECHO:
                text = text[: MAX_ECHO // 2] + f"\n    … {len(text) - MAX_ECHO} chars …\n" + text[-MAX_ECHO // 2:]
            sys.stderr.write("".join(f"    | {line}\n" for line in text.rstrip("\n").split("\n")))
        sys.stderr.flush()

    client = NotebookClient(
        nb,
        kernel_name=args.kernel,
        timeout=args.timeout if args.timeout > 0 else None,
        startup_timeout=args.startup_timeout,
        resources={"metadata": {"path": args.cwd or os.getcwd()}},
        record_timing=True,
        shutdown_kernel="immediate",  # outputs are complete; a graceful tslab shutdown only adds ~1-5 s
        on_cell_execute=on_cell_execute,
        on_cell_executed=on_cell_executed,
    )
    t0 = time.monotonic()
    failed = None
    try:
        client.execute()
    except CellTimeoutError as e:
        failed = {"kind": "timeout", "message": f"cell timed out after {args.timeout} s ({str(e).strip().splitlines()[0] if str(e).strip() else ''})"}
    except DeadKernelError as e:
        failed = {"kind": "dead-kernel", "message": f"the kernel died: {e}"}
    except CellExecutionError:
        failed = {"kind": "error", "message": None}
    except Exception as e:  # kernel start failure, protocol errors …
        failed = {"kind": type(e).__name__, "message": str(e) or repr(e)}
    wall = time.monotonic() - t0

    if failed is not None:
        idx = state["current"]
        if idx is not None:
            cell = nb.cells[idx]
            if failed["message"] is None:
                failed["message"] = error_text(cell)
            elif failed["kind"] != "error":
                partial = cell_text(cell, ("stderr",)).strip()
                if partial:
                    failed["message"] += "\n" + partial[-2000:]
            failed.update(index=idx, number=idx + 1, source_head=cell.source.strip().split("\n")[0][:120], source=cell.source)
            if not any(t["index"] == idx for t in timings):  # a timeout or dead kernel: no reply came
                mem = peak_mb(state["pid"]) if state["pid"] else None
                timings.append({"index": idx, "number": idx + 1, "seconds": round(time.monotonic() - state["t0"], 3), "status": failed["kind"], "peak_mb": mem})
        else:
            failed.update(index=None, number=None, source_head=None, source=None)
            if failed["message"] is None:
                failed["message"] = "execution failed before any cell ran"

    if failed is not None:
        # Marked inside too (the runner also names the file NN-name.partial.ipynb): a reader of the
        # copy sees it stopped and where.
        nb.metadata["nanomorph"] = {"partial": True, "failed_cell": failed.get("number"), "kind": failed.get("kind")}
    atomic_write(nb, args.output)
    result = {"ok": failed is None, "wall_s": round(wall, 3), "peak_mb": state["overall"], "cells": timings, "failed": failed}
    with open(args.result, "w", encoding="utf-8") as f:
        json.dump(result, f)
    sys.exit(0 if failed is None else 1)


if __name__ == "__main__":
    main()
