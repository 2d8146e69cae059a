"""Measure `maatwerk anonymize` on the synthetic case-note corpus, next to deduce on its own.

Run from the repository root: ``python bench/bench_anonymize.py [--reps N]``.

The corpus (maatwerk/lib/tests/data/anonymize_corpus.json) lists every identifier of each paragraph by
category. The paragraphs are joined with blank lines into one text, as `maatwerk anonymize` gets it, and
de-identified in one call. An identifier counts as removed when every letter and digit of it lies inside a
span that the output shows as a tag (the spans are recovered from the output itself, see
`replaced_spans`); a tag that leaves part of it visible ("NL91ABNA[ID-1]") does not count. The field's
ordinary words are counted per mention outside listed identifiers: kept when no tag covers any of it.
Throughput is the whole corpus per call, timed interleaved with deduce alone (`Deduce().deidentify` with
deduce's defaults), which is also constructed and measured in this run as the baseline.

`anonymize_for_research` (issue #14) is scored the same way on both files and on the outside set
(maatwerk/lib/tests/data/anonymize_nedap_deidentify.json, the Dutch examples of nedap/deidentify), and timed
as the research export calls it: one call per paragraph of both files, with that paragraph's household
names (its listed names) passed, in this one process, interleaved with deduce alone on the same paragraphs.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

# Runnable as a plain script from a checkout, without installing the package.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from maatwerk.lib import anonymize as an  # noqa: E402

DATA = ROOT / "maatwerk" / "lib" / "tests" / "data"
OUTSIDE = DATA / "anonymize_nedap_deidentify.json"  # nedap/deidentify's Dutch examples (MIT)
CORPORA = {
    "corpus": DATA / "anonymize_corpus.json",  # written while building our passes; the tests use it
    "held-out": DATA / "anonymize_heldout.json",  # written afterwards, not tuned on
}


def load_corpus(path: Path) -> tuple[str, list[tuple[str, str, int, int]], list[tuple[str, int, int]]]:
    """The joined text, every identifier mention (category, identifier, start, end) and every ordinary-word
    mention outside the identifiers (word, start, end)."""
    corpus = json.loads(path.read_text(encoding="utf-8"))
    text, identifiers, ordinary = "", [], []
    for paragraph in corpus["paragraphs"]:
        if text:
            text += "\n\n"
        offset, body = len(text), paragraph["text"]
        text += body
        spans = []
        for category, values in paragraph["identifiers"].items():
            for value in values:
                for m in re.finditer(re.escape(value), body):
                    identifiers.append((category, value, offset + m.start(), offset + m.end()))
                    spans.append((m.start(), m.end()))
        for word in corpus["ordinary_words"]:
            for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", body):
                if not any(s < m.end() and m.start() < e for s, e in spans):
                    ordinary.append((word, offset + m.start(), offset + m.end()))
    return text, identifiers, ordinary


def covered(text: str, output: str) -> set[int]:
    spans = an.replaced_spans(text, output)
    if spans is None:
        raise SystemExit("the output is not the input with spans replaced by tags")
    return {i for start, end, _ in spans for i in range(start, end)}


def score(text: str, output: str, identifiers, ordinary) -> tuple[dict[str, tuple[int, int]], float, list]:
    """Per category (removed, total) over distinct identifiers, the share of ordinary mentions kept, and
    what survived."""
    hidden = covered(text, output)
    removed: dict[tuple[str, str], bool] = {}
    for category, value, start, end in identifiers:
        gone = all(i in hidden for i in range(start, end) if text[i].isalnum())
        removed[category, value] = removed.get((category, value), True) and gone
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (category, _), gone in removed.items():
        per_category[category][0] += gone
        per_category[category][1] += 1
    kept = sum(not any(i in hidden for i in range(start, end)) for _, start, end in ordinary)
    survivors = [key for key, gone in removed.items() if not gone]
    lost = sorted({word for word, start, end in ordinary if any(i in hidden for i in range(start, end))})
    return {c: (r, t) for c, (r, t) in sorted(per_category.items())}, kept / len(ordinary), survivors + lost


def outside_misses(function) -> tuple[int, int, list[tuple[str, str]]]:
    """(removed, total, misses) of `function` on the outside set's counted identifiers."""
    removed, total, misses = 0, 0, []
    for document in json.loads(OUTSIDE.read_text(encoding="utf-8"))["documents"]:
        text = document["text"]
        hidden = covered(text, function(text))
        for item in document["identifiers"]:
            total += 1
            if all(i in hidden for i in range(item["start"], item["end"]) if text[i].isalnum()):
                removed += 1
            else:
                misses.append((item["label"], item["text"]))
    return removed, total, misses


def research_paragraphs() -> list[tuple[str, tuple[str, ...]]]:
    """Each paragraph of both files with the names the household's record would hold (its listed names)."""
    return [
        (p["text"], tuple(p["identifiers"].get("naam", ())))
        for path in CORPORA.values()
        for p in json.loads(path.read_text(encoding="utf-8"))["paragraphs"]
    ]


def per_paragraph_seconds(function, items) -> tuple[float, float]:
    """Wall and CPU (process) seconds of one call per paragraph: on the shared machine the wall time swells
    with the load, the CPU time much less."""
    start, cpu = time.perf_counter(), time.process_time()
    for text, names in items:
        function(text, names)
    return time.perf_counter() - start, time.process_time() - cpu


def fresh_process_seconds(code: str) -> float:
    """Seconds that `code` prints, run in a new Python process: what a first command sees."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(out.stdout.split()[-1])


def cli_seconds(text: str) -> float:
    """Wall time of `maatwerk anonymize` on one paragraph: start-up, Django, Deduce() and the call."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "maatwerk.cli", "anonymize"],
        input=text.encode(),
        capture_output=True,
        cwd=ROOT,
        check=True,
    )
    return time.perf_counter() - start


TIME_OURS = (
    "import time; t = time.perf_counter(); from maatwerk.lib.anonymize import engine; engine(); "
    "print(time.perf_counter() - t)"
)
TIME_DEDUCE = (
    "import time; t = time.perf_counter(); from deduce import Deduce; Deduce(); "
    "print(time.perf_counter() - t)"
)


def report(
    name: str, text: str, identifiers, ordinary, ours: str, alone: str
) -> tuple[float, float, float, float]:
    ours_cat, ours_kept, ours_missed = score(text, ours, identifiers, ordinary)
    base_cat, base_kept, base_missed = score(text, alone, identifiers, ordinary)
    distinct = sum(t for _, t in ours_cat.values())
    print(
        f"== {name}: {len(an.paragraphs(text))} paragraphs, {len(text)} characters, {distinct} identifiers, "
        f"{len(ordinary)} ordinary-word mentions"
    )
    print(f"{'category':<15}{'n':>4}{'ours':>9}{'deduce':>9}")
    for category, (removed, total) in ours_cat.items():
        print(f"{category:<15}{total:>4}{removed / total:>9.0%}{base_cat[category][0] / total:>9.0%}")
    ours_recall = sum(r for r, _ in ours_cat.values()) / distinct
    base_recall = sum(r for r, _ in base_cat.values()) / distinct
    print(f"{'all':<15}{distinct:>4}{ours_recall:>9.1%}{base_recall:>9.1%}")
    print(f"ordinary words kept: ours {ours_kept:.1%}, deduce alone {base_kept:.1%}")
    print(f"not removed / not kept, ours: {ours_missed or 'none'}")
    print(f"not removed / not kept, deduce alone: {base_missed or 'none'}")
    return ours_recall, base_recall, ours_kept, base_kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reps", type=int, default=30, help="timed runs over the corpus, each side (default 30)"
    )
    args = parser.parse_args()

    # Construction as a first command meets it: each in a fresh process (in this one, a second Deduce()
    # would be slowed by the first one's objects).
    ours_init = fresh_process_seconds(TIME_OURS)
    base_init = fresh_process_seconds(TIME_DEDUCE)
    cli_s = cli_seconds(json.loads(CORPORA["corpus"].read_text(encoding="utf-8"))["paragraphs"][0]["text"])

    an.engine()
    import gc

    from deduce import Deduce  # after an.engine(): that undid the logging set-up of deduce's first import

    gc.disable()  # as an.engine() does: loading a second copy with the collector on takes ~15 s
    baseline = Deduce()
    gc.freeze()
    gc.enable()

    summary, research = {}, {}
    for name, path in CORPORA.items():
        text, identifiers, ordinary = load_corpus(path)
        ours_out, alone_out = an.anonymize(text), baseline.deidentify(text).deidentified_text
        summary[name] = report(name, text, identifiers, ordinary, ours_out, alone_out)
        per_category, kept, missed = score(text, an.anonymize_for_research(text), identifiers, ordinary)
        research[name] = sum(r for r, _ in per_category.values()) / sum(t for _, t in per_category.values())
        print(f"anonymize_for_research: recall {research[name]:.1%}, ordinary words kept {kept:.1%}")
        print(f"not removed / not kept, anonymize_for_research: {missed or 'none'}")

    print(f"== outside set: {OUTSIDE.name} (nedap/deidentify, MIT)")
    outside = {}
    for label, function in (
        ("anonymize_for_research", an.anonymize_for_research),
        ("anonymize", an.anonymize),
        ("deduce alone", lambda t: baseline.deidentify(t).deidentified_text),
    ):
        removed, total, misses = outside_misses(function)
        outside[label] = removed / total
        print(f"{label}: {removed}/{total} removed; missed: {misses or 'none'}")

    text = "\n\n".join(load_corpus(path)[0] for path in CORPORA.values())
    paragraphs = len(an.paragraphs(text))
    ours_s, base_s = [], []
    an.anonymize(text)  # warm-up
    baseline.deidentify(text)
    for _ in range(args.reps):  # interleaved, so that a busy spell slows both sides
        start = time.perf_counter()
        an.anonymize(text)
        ours_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        baseline.deidentify(text)
        base_s.append(time.perf_counter() - start)
    ours_med, base_med = statistics.median(ours_s), statistics.median(base_s)
    print(
        f"== speed: both files in one call ({paragraphs} paragraphs, {len(text)} characters), medians of "
        f"{args.reps}: ours {ours_med * 1000:.1f} ms, deduce alone {base_med * 1000:.1f} ms"
    )

    # As the research export calls it: one paragraph per call, with the household's names.
    items = research_paragraphs()
    research_s, alone_s = [], []
    per_paragraph_seconds(an.anonymize_for_research, items)  # warm-up (and the names' pattern cache)
    for _ in range(args.reps):
        research_s.append(per_paragraph_seconds(an.anonymize_for_research, items))
        alone_s.append(per_paragraph_seconds(lambda text, names: baseline.deidentify(text), items))
    research_rate = len(items) / statistics.median(s for s, _ in research_s)
    alone_rate = len(items) / statistics.median(s for s, _ in alone_s)
    research_cpu = len(items) / statistics.median(c for _, c in research_s)
    alone_cpu = len(items) / statistics.median(c for _, c in alone_s)
    print(
        f"== research speed: one call per paragraph ({len(items)} paragraphs, names passed), one process, "
        f"medians of {args.reps}: anonymize_for_research {research_rate:.0f} paragraphs/s wall "
        f"({research_cpu:.0f} per CPU second), deduce alone {alone_rate:.0f} ({alone_cpu:.0f}), "
        f"x{research_rate / alone_rate:.2f} (CPU x{research_cpu / alone_cpu:.2f}); aim 500"
    )
    print(f"construction in a fresh process: ours {ours_init:.1f} s, Deduce() alone {base_init:.1f} s")
    print(f"maatwerk anonymize on one paragraph, as a new process: {cli_s:.1f} s")
    (corpus, corpus_base, kept, kept_base), (held, held_base, _, _) = summary.values()
    print(
        f"SUMMARY recall corpus={corpus:.3f} held-out={held:.3f} (deduce alone {corpus_base:.3f} / "
        f"{held_base:.3f}) ordinary_kept={kept:.3f} (deduce alone {kept_base:.3f}) "
        f"paragraphs_per_s={paragraphs / ours_med:.0f} (deduce alone {paragraphs / base_med:.0f}, "
        f"x{base_med / ours_med:.2f}) init_s={ours_init:.1f} (Deduce() alone {base_init:.1f}) "
        f"cli_s={cli_s:.1f}"
    )
    print(
        f"SUMMARY research recall corpus={research['corpus']:.3f} held-out={research['held-out']:.3f} "
        f"outside={outside['anonymize_for_research']:.3f} (anonymize {outside['anonymize']:.3f}, "
        f"deduce alone {outside['deduce alone']:.3f}) research_paragraphs_per_s={research_rate:.0f} "
        f"cpu={research_cpu:.0f} (deduce alone {alone_rate:.0f} cpu={alone_cpu:.0f}, "
        f"x{research_rate / alone_rate:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
