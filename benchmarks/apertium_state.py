"""Which of Apertium's tools remember earlier segments past a NUL, and what a kept chain costs.

    python benchmarks/apertium_state.py                  # every part
    python benchmarks/apertium_state.py --parts tools,starts

Parts (on the tuning sets only: flores101-dev, newstest2013):
- tools: each tool of the four modes' chains run alone on a batch B (FLORES dev lines
  1-100) and on A + B (A: lines 101-400), each input made by fresh runs of the tools
  before it; how many of B's segments come out otherwise after A. Only the tool that
  remembers shows a difference (the ones after it get the same input in both runs).
- tagger: how often each mode's apertium-tagger meets a word whose set of tags its model
  never saw (`-d` prints "new ambiguity class"): each one narrows the tagger's open class
  for the rest of the process (apertium.py says why).
- starts: the CPU each tool takes to start and end on one short segment (median of 5).
- same-bytes: the 3,997 tuning texts in 20 batches of 200, in order and reversed,
  through the kept chains (apertium.KeptPipeline: taggers started again after a batch
  that may have changed them, WATCHED_TOOLS) against `apertium` started for each batch;
  batches whose bytes differ, the taggers started, and the same with the taggers kept
  whatever they met (PER_BATCH_TOOLS empty), to show what the measure catches.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import time

from _common import EVAL, machine

from pipeline.translate import apertium as ap

MODES = ("fr-es", "spa-eng", "fra-cat", "cat-eng")


def tuning_texts() -> list[str]:
    return [
        line
        for name in ("flores101-dev.fr", "newstest2013.fr")
        for line in (EVAL / name).read_text(encoding="utf-8").splitlines()
    ]


def run(command: str, data: bytes, stderr: bool = False):
    """A tool (or tools) of a mode through bash, as KeptPipeline runs them; the NULs each
    tool adds at its input's end are cut to the one that ends the last segment."""
    done = subprocess.run(
        ["bash", "-c", "set -o pipefail; " + command, "mode", "-n", ""],
        input=data,
        capture_output=True,
        env=ap._utf8_environment(),
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{command[:60]} failed: {done.stderr.decode()[-300:]}")
    out = done.stdout.rstrip(b"\0") + b"\0"
    return (out, done.stderr.decode("utf-8", "replace")) if stderr else out


def part_tools(lines: list[str]) -> None:
    b_lines, a_lines = lines[:100], lines[100:400]
    print("\n### Each tool alone: B's segments that read otherwise after A\n")
    print("| mode | # | tool | B's segments (of 100) differing after A |")
    print("| --- | ---: | --- | ---: |")
    for pivot in ("es", "ca"):
        in_a = ap.build_stream(a_lines).encode()
        in_b = ap.build_stream(b_lines).encode()
        for mode in ap.PIVOT_MODES[pivot]:
            for number, tool in enumerate(ap.mode_tools(ap._mode_command(mode))):
                out_a, out_b = run(tool, in_a), run(tool, in_b)
                after_a = run(tool, in_a + in_b).split(b"\0")[len(a_lines) :]
                differ = sum(x != y for x, y in zip(after_a, out_b.split(b"\0"), strict=True))
                print(f"| {mode} | {number} | `{tool.split()[0]}` | {differ} |", flush=True)
                in_a, in_b = out_a, out_b


def part_tagger(texts: list[str]) -> None:
    print(f"\n### apertium-tagger: words with tags its model never saw ({len(texts)} texts)\n")
    print("| mode | new ambiguity classes met |")
    print("| --- | ---: |")
    for pivot in ("es", "ca"):
        data = ap.build_stream(texts).encode()
        for mode in ap.PIVOT_MODES[pivot]:
            tools = ap.mode_tools(ap._mode_command(mode))
            k = next(i for i, t in enumerate(tools) if t.startswith("apertium-tagger"))
            before = run(" | ".join(tools[:k]), data)
            _, err = run(tools[k].replace(" -z ", " -z -d ", 1), before, stderr=True)
            print(f"| {mode} | {err.count('new ambiguity class')} |", flush=True)
            data = run(ap._mode_command(mode), data)


def child_cpu(command: str, data: bytes) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        ["bash", "-c", command, "mode", "-n", ""],
        input=data,
        capture_output=True,
        env=ap._utf8_environment(),
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def part_starts() -> None:
    print("\n### CPU ms to start and end each tool on one short segment (median of 5)\n")
    print("| mode | tools started for each batch | the kept tools | all |")
    print("| --- | ---: | ---: | ---: |")
    shell = statistics.median(child_cpu("true", b"") for _ in range(5))
    for mode in MODES:
        data = ap.build_stream(["Le chat dort."]).encode()
        per_batch = kept = 0.0
        for tool in ap.mode_tools(ap._mode_command(mode)):
            cost = statistics.median(child_cpu(tool, data) for _ in range(5)) - shell
            if tool.split()[0] in ap.PER_BATCH_TOOLS:
                per_batch += cost
            else:
                kept += cost
            data = run(tool, data)
        total = per_batch + kept
        print(f"| {mode} | {per_batch * 1e3:.0f} | {kept * 1e3:.0f} | {total * 1e3:.0f} |")


def upto_last_separator(output: bytes, count: int) -> bytes:
    return output[: output.index(b"[][<s%d>]" % (count - 1))]


def part_same_bytes(texts: list[str]) -> None:
    batches = [texts[i : i + 200] for i in range(0, len(texts), 200)]
    print(f"\n### Kept chains against `apertium` per batch ({len(texts)} texts, 200 a batch)\n")
    print(
        "| pivot | marks | chain | order | batches differing | seconds (per batch / kept) "
        "| per-batch tools started |"
    )
    print("| --- | --- | --- | --- | ---: | --- | ---: |")
    for pivot in ("ca", "es"):
        for marks in (False, True):
            engine = ap.ApertiumEngine(pivot, keep_marks=marks)
            start = time.perf_counter()
            fresh = [
                upto_last_separator(
                    engine._run_processes(ap.build_stream(b), None, 0, len(b)), len(b)
                )
                for b in batches
            ]
            fresh_s = time.perf_counter() - start
            variants = [("taggers watched", order) for order in ("in order", "reversed")]
            if not marks:
                variants.append(("taggers kept always", "in order"))
            for chain, order in variants:
                ap.close_kept_pipelines()
                saved = ap.PER_BATCH_TOOLS
                if chain == "taggers kept always":
                    ap.PER_BATCH_TOOLS = frozenset()
                kept = ap.kept_pipeline(engine.modes, "-g" if marks else "-n")
                ap.PER_BATCH_TOOLS = saved
                numbers = list(range(len(batches)))[:: 1 if order == "in order" else -1]
                start = time.perf_counter()
                differ = 0
                for i in numbers:
                    stream = ap.build_stream(batches[i])
                    out = kept.translate(stream.encode(), len(batches[i]), None, 0, 0)
                    differ += upto_last_separator(out, len(batches[i])) != fresh[i]
                kept_s = time.perf_counter() - start
                print(
                    f"| {pivot} | {'kept' if marks else 'off'} | {chain} | {order} | {differ} "
                    f"| {fresh_s:.1f} / {kept_s:.1f} | {kept.tool_starts} |",
                    flush=True,
                )
    ap.close_kept_pipelines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", default="tools,tagger,starts,same-bytes")
    parts = parser.parse_args().parts.split(",")
    print(f"# Apertium's tools and their state ({machine()})")
    if ap._script_datadir() is None:
        raise SystemExit("`apertium` is not Apertium's own script: no chains to keep")
    texts = tuning_texts()
    if "tools" in parts:
        part_tools(texts)
    if "tagger" in parts:
        part_tagger(texts)
    if "starts" in parts:
        part_starts()
    if "same-bytes" in parts:
        part_same_bytes(texts)


if __name__ == "__main__":
    main()
