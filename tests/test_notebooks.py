"""The reviewers' notebooks: they read as the chapter, run from anywhere, check their numbers, and
`report rerun` says whether they reproduce what was published (small synthetic book and the real report)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, free_port, report, stop

from helpers.core import config

NB_KIND = re.compile(r"^one-(project|text-\d+|\d+|numbers)$")


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def text_of(cell: dict) -> str:
    """The text of a cell's outputs (every representation but pictures)."""
    return "\n".join("".join(v) if isinstance(v, list) else str(v) for out in cell.get("outputs", [])
                     for k, v in out.get("data", {}).items() if not k.startswith("image/"))


def markdown_text(path: Path) -> str:
    return "\n\n".join(source(c) for c in cells(path) if c["cell_type"] == "markdown").replace("\u00a0", " ")


def test_a_notebook_reads_as_its_chapter_in_reading_order(built_small_book: Path):
    path = built_small_book / "output/kk/notebooks/one.ipynb"
    nbformat.validate(nbformat.read(path, as_version=4))  # a valid notebook of Jupyter's format 4
    nb = json.loads(path.read_text(encoding="utf-8"))
    kinds = [(c["cell_type"], source(c)) for c in nb["cells"]]
    # the project cell first, the numbers' check last; the chapter's text and cells in between, in order
    assert "use_project" in kinds[0][1] and "check_numbers" in kinds[-1][1]
    order = [i for i, (kind, text) in enumerate(kinds) for needle in
             ("# 1. Түстер тарауы", 'b.value("s01_colours"', "Жалпы саны / всего: 17\u00a0988.[1]", "b.chart(",
              "**1-диаграмма.** Түстер бойынша ұйымдар", "**1-кесте.** Өңірлер мен түстер", "b.table(",
              "[1] Ескерту / сноска.") if needle in text]
    assert order == sorted(order) and len(order) == 8, kinds
    assert all(NB_KIND.match(c["id"]) for c in nb["cells"]) and len({c["id"] for c in nb["cells"]}) == len(nb["cells"])
    meta = nb["metadata"]
    assert meta["kernelspec"]["name"] == "ngo-report"
    assert meta["ngo-report"]["edition"] == "kk" and meta["ngo-report"]["source"] == "chapters/kk/one.qmd"
    assert meta["ngo-report"]["data_package"]["name"] == "test-book" and meta["ngo-report"]["project_root"] == "../../.."
    # the chart and the table carry their outputs; the check shows every inline number as printed and recomputed
    chart = next(c for c in nb["cells"] if "b.chart(" in source(c))
    assert any("image/svg+xml" in out.get("data", {}) for out in chart["outputs"])
    # Jupyter shows a table as HTML, each number with its origin as a tooltip, and the source line in small type
    table = next(c for c in nb["cells"] if "b.table(" in source(c))
    shown = ["".join(o["data"]["text/html"]) for o in table["outputs"] if "text/html" in o["data"]]
    assert '<span class="num" title="Деректер: s01_colours.csv, 2-жол' in shown[0] and "{.num" not in shown[0]
    assert shown[1].startswith('<p class="source"><small><em>Дереккөз:') and ":::" not in shown[1]
    assert "| 11 | `total` | 17\u00a0988 | 17\u00a0988 | s01_colours.csv:4 | ✓ |" in text_of(nb["cells"][-1])
    text = path.read_text(encoding="utf-8")
    assert str(built_small_book) not in text and "iopub" not in text  # no absolute paths, no timestamps
    ru = markdown_text(built_small_book / "output/ru/notebooks/one.ipynb")
    assert "**Диаграмма 1.** Организации по цветам" in ru and "**Таблица 1.** Регионы и цвета" in ru
    # cross-references to another chapter, resolved to their printed labels
    intro = markdown_text(built_small_book / "output/ru/notebooks/index.ipynb")
    assert "О диаграмме: диаграмма 1, только номер: на диаграмме 1; таблица: таблица 1; раздел: раздел 1." in intro
    assert "1-диаграммада; кесте: 1-кесте; бөлім: 1-бөлім." in markdown_text(built_small_book / "output/kk/notebooks/index.ipynb")


def test_chapter_pages_link_their_notebook_and_source_in_the_editions_language(built_small_book: Path):
    for lang, words in (("kk", ("Жүктеу", "Jupyter блокноты", "бастапқы мәтіні")),
                        ("ru", ("Скачать", "блокнот Jupyter", "исходный текст"))):
        site = built_small_book / f"output/{lang}/html"
        page = (site / "one.html").read_text(encoding="utf-8")
        links = re.search(r'<p class="page-downloads">(.*?)</p>', page).group(1)
        assert all(w in links for w in words), links
        hrefs = re.findall(r'href="([^"]+)" download', links)
        assert hrefs == ["../notebooks/one.ipynb", "../source/one.qmd"]
        assert all((site / h).resolve().is_file() for h in hrefs)
        assert (site / hrefs[1]).read_bytes() == (built_small_book / f"chapters/{lang}/one.qmd").read_bytes()


def _reviewer_env(**extra: str) -> dict:
    """A reviewer's environment: this Python's Jupyter (the project's install registered the kernel and
    Jupyter's settings in it), no project named."""
    env = {k: v for k, v in os.environ.items() if k not in ("REPORT_ROOT", "REPORT_DATA", "JUPYTER_PATH",
                                                             "JUPYTER_CONFIG_DIR")}
    return {**env, **extra}


def _jupyter(*args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jupyter", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def nbconvert_reproduces(folder: Path, elsewhere: Path, env: dict) -> int:
    """Execute every notebook of ``folder`` with ``jupyter nbconvert --execute`` from ``elsewhere`` (its kernel as
    the notebook names it) and assert that the executed notebook is the published one byte for byte (nbdime's
    diff shown if not); returns how many outputs were compared."""
    outputs = 0
    elsewhere.mkdir(parents=True, exist_ok=True)
    for nb in sorted(folder.glob("*.ipynb")):
        out = elsewhere / nb.name
        res = _jupyter("nbconvert", "--to", "notebook", "--execute", str(nb), "--output-dir", str(out.parent),
                       cwd=elsewhere, env=env)
        assert res.returncode == 0, res.stderr[-3000:]
        if out.read_bytes() != nb.read_bytes():
            diff = subprocess.run([sys.executable, "-m", "nbdime", "diff", "--no-color", str(nb), str(out)],
                                  capture_output=True, text=True)
            pytest.fail(f"jupyter nbconvert --execute does not reproduce {nb}:\n{diff.stdout[-4000:]}")
        outputs += sum(len(c.get("outputs", [])) for c in json.loads(out.read_text(encoding="utf-8"))["cells"])
    return outputs


def test_the_projects_install_registers_the_notebooks_kernel_and_jupyters_settings_in_its_environment():
    spec = json.loads((Path(sys.prefix) / "share/jupyter/kernels/ngo-report/kernel.json").read_text(encoding="utf-8"))
    assert spec["display_name"] == "NGO report 2019 (project .venv)" and spec["argv"][0] == sys.executable
    settings = json.loads((Path(sys.prefix) / "etc/jupyter/jupyter_nbconvert_config.json").read_text(encoding="utf-8"))
    assert settings["ExecutePreprocessor"]["record_timing"] is False
    res = _jupyter("kernelspec", "list", "--json", cwd=Path(sys.prefix), env=_reviewer_env())
    assert json.loads(res.stdout)["kernelspecs"]["ngo-report"]["resource_dir"].startswith(sys.prefix)


def test_published_notebooks_carry_the_kernels_language_info_and_reprs_without_addresses(built_small_book: Path):
    from ipykernel.ipkernel import IPythonKernel

    from helpers.review import language_info

    assert language_info() == IPythonKernel.language_info  # what nbconvert writes into an executed notebook
    for nb in (built_small_book / "output").glob("*/notebooks/*.ipynb"):
        text = nb.read_text(encoding="utf-8")
        assert json.loads(text)["metadata"]["language_info"] == language_info()
        assert not re.search(r" at 0x[0-9a-f]+>", text) and "<helpers." not in text, nb


def test_notebooks_execute_with_the_projects_kernel_from_a_folder_outside_the_project_as_published(
        built_small_book: Path, tmp_path: Path):
    env = _reviewer_env()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outputs = sum(nbconvert_reproduces(built_small_book / f"output/{lang}/notebooks", elsewhere / lang, env)
                  for lang in ("kk", "ru"))
    assert outputs > 10
    check = cells(elsewhere / "kk/one.ipynb")[-1]
    assert "✓" in text_of(check) and "✗" not in text_of(check)
    # a notebook taken out of the project says in one line what to do
    alone = elsewhere / "alone.ipynb"
    shutil.copyfile(built_small_book / "output/kk/notebooks/one.ipynb", alone)
    res = _jupyter("nbconvert", "--to", "notebook", "--execute", str(alone), "--output", str(elsewhere / "x.ipynb"),
                   cwd=elsewhere, env=env)
    assert res.returncode != 0
    assert re.search(r"finds no _quarto\.yml: open it where `report build` wrote it .*or set REPORT_ROOT",
                     res.stderr), res.stderr[-2000:]


def test_rerun_reproduces_a_build_then_names_a_changed_output_and_a_changed_data_value(small_book: Path):
    assert report("build", "--to", "html", cwd=small_book).returncode == 0
    res = report("rerun", cwd=small_book)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "[kk] one.ipynb: reproduced" in res.stdout and "[ru] app.ipynb: reproduced" in res.stdout
    assert "6 of 6 notebook(s) reproduced" in res.stdout
    # an output changed by hand in a published notebook
    path = small_book / "output/ru/notebooks/one.ipynb"
    published = path.read_text(encoding="utf-8")
    nb = json.loads(published)
    table = next(c for c in nb["cells"] if "b.table(" in source(c))
    md = next(o for o in table["outputs"] if "text/markdown" in o["data"])
    md["data"]["text/markdown"] = [line.replace("[12\u00a0000]", "[12\u00a0001]") for line in md["data"]["text/markdown"]]
    assert "12\u00a0001" in json.dumps(md, ensure_ascii=False)
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    res = report("rerun", "--lang", "ru", "one", cwd=small_book)
    assert res.returncode == 1
    assert re.search(r"ru/one\.ipynb: cell \d+ \(id one-3, chapter line \d+: b\.table\(.*\): outputs differ", res.stdout)
    assert "-| Акмолинская область | 12 001 |" in res.stdout.replace("\u00a0", " ")
    assert "0 of 1 notebook(s) reproduced" in res.stderr
    path.write_text(published, encoding="utf-8")
    # a data value changed: the chart, the table and the number of the text that use it, nothing else
    data = small_book / "data/s01_colours.csv"
    data.write_text(data.read_text(encoding="utf-8").replace("akmola,red,12000", "akmola,red,12500"), encoding="utf-8")
    res = report("rerun", "--lang", "kk", cwd=small_book)
    assert res.returncode == 1
    out = res.stdout.replace("\u00a0", " ")
    changed = re.findall(r"^kk/(\S+): cell \d+ \(id ([\w-]+)", out, re.M)
    assert changed == [("one.ipynb", "one-2"), ("one.ipynb", "one-3"), ("one.ipynb", "one-numbers")], out
    assert "-Қызыл: 12 000; Жасыл: 5988\n    +Қызыл: 12 500; Жасыл: 5988" in out  # the chart's values
    assert "+| Ақмола облысы | 12 500 | 5988 | 18 488 |" in out  # the table's row
    assert "+akmola,red,12500.0,organisation,published," in out  # the data behind them
    assert "+| 11 | `total` | 17 988 | 18 488 | s01_colours.csv:4 | ✗ |" in out  # the prose's number
    assert "[kk] app.ipynb: reproduced" in out and "[kk] index.ipynb: reproduced" in out


def test_report_lab_serves_the_editions_notebooks_with_the_projects_kernel(built_small_book: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REPORT_ROOT", "REPORT_DATA")}
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "lab", "--lang", "ru", "--no-browser", "--port",
                             str(port)], cwd=built_small_book, env={**env, "JUPYTER_TOKEN": "reviewer"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline, listing = time.time() + 120, None
        while time.time() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"{base}/api/contents?token=reviewer", timeout=5) as r:
                    listing = json.load(r)
                break
            except OSError:
                time.sleep(0.5)
        assert listing is not None, proc.stdout.read() if proc.poll() is not None else "JupyterLab did not answer"
        assert {"one.ipynb", "index.ipynb", "app.ipynb"} <= {item["name"] for item in listing["content"]}
        with urllib.request.urlopen(f"{base}/api/contents/one.ipynb?token=reviewer", timeout=10) as r:
            nb = json.load(r)["content"]
        assert nb["metadata"]["ngo-report"]["edition"] == "ru"
        # built by the project, trusted: Jupyter shows their figures (SVG) and tables (HTML)
        assert all(c["metadata"].get("trusted") for c in nb["cells"] if c["cell_type"] == "code")
        with urllib.request.urlopen(f"{base}/api/kernelspecs?token=reviewer", timeout=10) as r:
            specs = json.load(r)
        assert "ngo-report" in specs["kernelspecs"] and specs["default"] == "ngo-report"
        with urllib.request.urlopen(f"{base}/lab?token=reviewer", timeout=10) as r:
            assert "JupyterLab" in r.read().decode("utf-8")
    finally:
        stop(proc)


@pytest.mark.slow
def test_the_reports_notebooks_carry_the_chapter_text_and_rerun_as_published(built_report: Path, tmp_path: Path):
    for lang, heading, sentence, ref in (
            ("kk", "# 2. ҮЕҰ белсенділігінің деңгейі, ауқымы және салалары",
             "Азаматтық сектордың жай-күйін талдауды оның ауқымын бағалаудан бастаймыз.", "-диаграммада көрсетілген"),
            ("ru", "# 2. Уровень, масштаб и сферы деятельности НПО", "Анализ состояния гражданского сектора начнём с оценки его масштаба.", "на диаграмме ")):
        text = markdown_text(built_report / lang / "notebooks/02-activity.ipynb")
        assert heading in text and sentence in text and ref in text, text[:2000]
        assert "`{python}" not in text and "@dgm-" not in text and "{.num" not in text and ":::" not in text
        # every number of the chapter's text is in its check cell, as numbers.csv prints it
        with open(built_report / lang / "numbers.csv", encoding="utf-8") as f:
            numbers = [r for r in csv.DictReader(f) if r["chapter"].endswith("/02-activity.qmd")]
        check = cells(built_report / lang / "notebooks/02-activity.ipynb")[-1]
        assert len(numbers) > 10 and all(f"| {r['line']} | `{r['expression']}` | {r['text']} | {r['text']} |"
                                         in text_of(check) for r in numbers)
        for r in numbers:
            assert r["text"].replace("\u00a0", " ") in text
    res = report("rerun", "--output", str(built_report), timeout=1800)
    assert res.returncode == 0, res.stdout[-5000:] + res.stderr[-3000:]
    assert res.stdout.count(": reproduced") == 10 * len(config.langs(ROOT))
    # Jupyter's own tools give every notebook of an edition again, byte for byte, from outside the project
    assert nbconvert_reproduces(built_report / "kk/notebooks", tmp_path, _reviewer_env(REPORT_ROOT=str(ROOT))) > 100
