"""Build a 200-paper dossier and merge the same files with qpdf; compare times and memory.

    .venv/bin/python benchmarks/dossier.py [--papers 200] [--pages 10] [--runs 5] [--keep]
                                            [--profile]

Generates `--papers` PDFs of `--pages` pages of text each with Typst (every fifth one US
Letter, the rest A4), spread over ten agenda items with summaries, comment digests and a
contributor list, plus one paper without a PDF (it goes to the annex). Then, `--runs` times:

- qpdf: `qpdf --empty --pages <the papers> -- out.pdf`, wall time of the command;
- dossier: `build_dossier_pdf` in a fresh Python process (imports done before the clock
  starts, as in a running worker), wall time of the call; its peak resident set (VmHWM of
  that process, which includes the interpreter and the imported libraries) is the memory
  figure.

The two alternate, so that both see the same machine. Medians are reported (ratio = median
build / median qpdf; peak_mb = the highest of the runs), and the CPU time of each (all
threads of the build: it typesets in two threads while it merges). The last line reads
`dossier pages=<n> build_s=<n> qpdf_s=<n> ratio=<n> peak_mb=<n>`.
Needs the `qpdf` command (Debian: apt-get install qpdf).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, this folder comes first on the path, and a sibling benchmark's name (say
# queue.py) would shadow the standard library module of that name: take it off.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if p and Path(p).resolve() != HERE]

SECTIONS = 10

PAPER_SOURCE = """
#set page(paper: sys.inputs.paper, margin: 2.5cm)
#set text(size: 11pt)
#let title = sys.inputs.title
#for page in range(int(sys.inputs.pages)) {
  if page > 0 { pagebreak() }
  heading(level: 1, title + " — page " + str(page + 1))
  lorem(330 + calc.rem(page * 37 + title.len(), 60))
}
"""


def make_papers(folder: Path, count: int, pages: int) -> list[Path]:
    import typst

    source = folder / "paper.typ"
    source.write_text(PAPER_SOURCE, encoding="utf-8")
    compiler = typst.Compiler(root=folder)
    paths = []
    for index in range(count):
        path = folder / f"paper-{index:03d}.pdf"
        paper = "us-letter" if index % 5 == 4 else "a4"
        title = f"Position paper {index + 1} on item {index % SECTIONS + 1}"
        inputs = {"paper": paper, "title": title, "pages": str(pages)}
        compiler.compile(input=str(source), output=str(path), sys_inputs=inputs, pdf_tags=False)
        paths.append(path)
    return paths


def write_manifest(folder: Path, papers: list[Path]) -> Path:
    sections = []
    for number in range(1, SECTIONS + 1):
        mine = [(i, p) for i, p in enumerate(papers) if i % SECTIONS == number - 1]
        sections.append(
            {
                "number": str(number),
                "title": f"Agenda item {number}: financing, follow-up and review",
                "background": "The item covers the means of implementation.\n\n" * 3,
                "summary": "Contributors broadly agree on the need for follow-up. " * 12,
                "papers": [
                    {
                        "tracking_number": f"P-{i + 1:04d}",
                        "title": f"Position paper {i + 1}",
                        "organisations": [f"Organisation {i % 57 + 1}"],
                        "country": f"Country {i % 23 + 1}",
                        "language": "English",
                        "pdf_path": str(path),
                        "original_name": path.name,
                    }
                    for i, path in mine
                ],
                "comments": [
                    {
                        "author": f"Delegate {k}",
                        "organisation": f"Organisation {k}",
                        "date_text": "2 May 2026",
                        "text": "We support the proposal and ask for a review in 2027. " * 4,
                    }
                    for k in range(5)
                ],
            }
        )
    sections[-1]["papers"].append(
        {
            "tracking_number": "P-9999",
            "title": "A paper that could not be converted",
            "organisations": ["Organisation 1"],
            "country": "Country 1",
            "language": "French",
            "pdf_path": None,
            "original_name": "scan.odt",
        }
    )
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps({"sections": sections}), encoding="utf-8")
    return manifest


def build_child(manifest: Path, out: Path, profile: bool) -> None:
    """Runs in a fresh process: build once, print the wall time and the peak resident set."""
    from app.dossiers.render import build_dossier_pdf
    from app.dossiers.render_spec import (
        CommentDigestSpec,
        Contributor,
        DossierSpec,
        PaperSpec,
        SectionSpec,
    )

    data = json.loads(manifest.read_text(encoding="utf-8"))
    sections = [
        SectionSpec(
            number=s["number"],
            title=s["title"],
            background=s["background"],
            summary=s["summary"],
            papers=[
                PaperSpec(
                    **{k: v for k, v in p.items() if k != "pdf_path"},
                    pdf_path=Path(p["pdf_path"]) if p["pdf_path"] else None,
                    sha256="",
                )
                for p in s["papers"]
            ],
            comments=[CommentDigestSpec(**c) for c in s["comments"]],
        )
        for s in data["sections"]
    ]
    spec = DossierSpec(
        process_title="Intergovernmental consultation on sustainable finance",
        meeting_title="Second session of the open-ended working group",
        dates_text="4-8 May 2026",
        venue_text="Palais des Nations, Geneva",
        build_number=7,
        built_at=datetime.now(UTC),
        built_by="Benchmark",
        sections=sections,
        contributors=[
            Contributor(f"Organisation {i}", f"Country {i % 23 + 1}", ["NGO", "Academic"][i % 2])
            for i in range(1, 58)
        ],
    )
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    result = build_dossier_pdf(spec, out)
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = sum(getattr(cpu_after, f) - getattr(cpu_before, f) for f in ("ru_utime", "ru_stime"))
    if profile:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    peak = vm_hwm_mb()
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "pages": result.page_count, "peak_mb": peak}))


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_qpdf(papers: list[Path], out: Path) -> tuple[float, float, float]:
    command = ["qpdf", "--empty", "--pages", *map(str, papers), "--", str(out)]
    started = time.perf_counter()
    process = subprocess.Popen(command)  # noqa: S603 - fixed command, our own files
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("qpdf failed")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def run_build(manifest: Path, out: Path, profile: bool) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", str(manifest), str(out)]
    if profile:
        command.append("--profile")
    done = subprocess.run(command, check=False, capture_output=True, text=True)  # noqa: S603
    if profile or done.returncode != 0:
        print(done.stderr, file=sys.stderr)
    if done.returncode != 0:
        raise RuntimeError("the dossier build failed")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=200)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--profile", action="store_true", help="cProfile the last build")
    parser.add_argument("--child", nargs=2, metavar=("MANIFEST", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        build_child(Path(args.child[0]), Path(args.child[1]), args.profile)
        return
    if shutil.which("qpdf") is None:
        sys.exit("needs the qpdf command (apt-get install qpdf)")

    folder = Path(tempfile.mkdtemp(prefix="plenary-dossier-bench-"))
    try:
        started = time.perf_counter()
        papers = make_papers(folder, args.papers, args.pages)
        manifest = write_manifest(folder, papers)
        print(f"generated {len(papers)} papers in {time.perf_counter() - started:.1f} s")
        builds, merges, peaks, cpus, qpdf_cpus = [], [], [], [], []
        pages = 0
        for run in range(args.runs):
            qpdf_s, qpdf_cpu, qpdf_mb = run_qpdf(papers, folder / "qpdf.pdf")
            build = run_build(manifest, folder / "dossier.pdf", args.profile and run == 0)
            pages = int(build["pages"])
            merges.append(qpdf_s)
            qpdf_cpus.append(qpdf_cpu)
            builds.append(build["seconds"])
            cpus.append(build["cpu"])
            peaks.append(build["peak_mb"])
            print(
                f"run {run + 1}: qpdf {qpdf_s:.3f} s (cpu {qpdf_cpu:.3f} s, {qpdf_mb:.0f} MB), "
                f"dossier {build['seconds']:.3f} s (cpu {build['cpu']:.3f} s, "
                f"{build['peak_mb']:.0f} MB), {pages} pages"
            )
        build_s, qpdf_s = statistics.median(builds), statistics.median(merges)
        sizes = [(folder / name).stat().st_size / 1e6 for name in ("qpdf.pdf", "dossier.pdf")]
        print(f"sizes: qpdf {sizes[0]:.1f} MB, dossier {sizes[1]:.1f} MB")
        cpu_s, qpdf_cpu_s = statistics.median(cpus), statistics.median(qpdf_cpus)
        print(f"cpu (all threads): dossier {cpu_s:.3f} s, qpdf {qpdf_cpu_s:.3f} s")
        print(
            f"dossier pages={pages} build_s={build_s:.3f} qpdf_s={qpdf_s:.3f} "
            f"ratio={build_s / qpdf_s:.2f} peak_mb={max(peaks):.0f}"
        )
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
