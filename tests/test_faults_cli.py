"""Bad input and hostile conditions, end to end: `python -m pipeline ...` in a subprocess.

Each case checks what a user sees: one line `error: ...` on stderr that says what went
wrong and where, no traceback, exit status 1 (130 for Ctrl-C), and that the outputs of the
previous run are byte-identical afterwards, with no temporary file left behind.

The previous run is one of the project's articles translated once by the real apertium
(module fixture `template`); each test works on a copy of it. A run in a subprocess loads
spaCy (seconds), so the cases that fail before loading it are many and cheap, and the
others are few.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faults_support import (
    REPO,
    add_sentence,
    child_env,
    copy_project,
    error_line,
    leftovers,
    memory_counts,
    pipeline_command,
    run_cli,
    snapshot,
)

from pipeline.translate.apertium import missing_modes

pytestmark = pytest.mark.skipif(
    bool(missing_modes("es")), reason="apertium fr-es/spa-eng is not installed"
)

APERTIUM = shutil.which("apertium")


TEMPLATE_ARTICLES = ("004_697ffb342edea42a.txt",)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A project after one complete run: corpus/, glossary/, translations/ (with memory)."""
    from pipeline import runner
    from pipeline.translate.apertium import ApertiumEngine

    root = tmp_path_factory.mktemp("template") / "project"
    (root / "corpus").mkdir(parents=True)
    for name in TEMPLATE_ARTICLES:
        shutil.copy(REPO / "corpus" / name, root / "corpus" / name)
    (root / "glossary").mkdir()
    shutil.copy(REPO / "glossary" / "glossary.yaml", root / "glossary" / "glossary.yaml")
    runner.run(
        root / "corpus",
        root / "glossary" / "glossary.yaml",
        root / "translations",
        ApertiumEngine("es"),
    )
    return root


@pytest.fixture
def project(template, tmp_path) -> Path:
    return copy_project(template, tmp_path / "project")


def french_lines() -> list[str]:
    flores = REPO.parent / "shared" / "eval" / "flores200-devtest.fr"
    source = flores if flores.exists() else REPO / "corpus" / "001_3976362db0d250f5.txt"
    return source.read_text(encoding="utf-8").splitlines()


def outputs_unchanged(project: Path, before: dict[str, bytes]) -> None:
    assert snapshot(project / "translations") == before
    assert leftovers(project) == []


def can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


# --- corpus ----------------------------------------------------------------------------


def test_a_messy_corpus_runs_and_names_every_file_it_skips_or_decodes(tmp_path):
    """Odd files beside good articles: each odd one gets a warning line naming it, the
    others are translated, and the run succeeds."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "vide.txt").write_bytes(b"")
    (corpus / "blanc.txt").write_bytes(b"  \r\n\t\n")
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0")
    (corpus / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\0\x10JFIF")
    (corpus / "notes.pdf").write_bytes(b"%PDF-1.4\n")
    (corpus / "sous-dossier").mkdir()
    os.symlink(corpus / "boucle.txt", corpus / "boucle.txt")  # a link to itself
    (corpus / "latin1.txt").write_bytes("Le président a été reçu à Pékin.\n".encode("latin-1"))
    (corpus / "cp1252.txt").write_bytes("L’été à Séoul – « oui ».\n".encode("cp1252"))
    (corpus / "bom.txt").write_bytes(b"\xef\xbb\xbf" + "Le traité est signé.\r\n".encode())
    (corpus / "Corée du Nord – été.txt").write_text("La Corée du Nord a signé un traité.\n")
    result = run_cli(
        "run", "--corpus", corpus, "--out", tmp_path / "out", "--engine", "apertium", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    expected = [
        "vide.txt: skipped: empty",
        "blanc.txt: skipped: only white space",
        "image.txt: skipped: binary file",
        "boucle.txt: skipped",
        "latin1.txt: not UTF-8; decoded as latin-1",
        "cp1252.txt: not UTF-8; decoded as windows-1252",
        "notes.pdf: skipped: not a readable PDF",  # a PDF is read now: this one is damaged
        "ignored 1 file(s) that are not .txt .md .html .htm .docx .pdf: photo.jpg",
    ]
    for fragment in expected:
        assert sum(fragment in line for line in warnings) == 1, (fragment, warnings)
    assert len(warnings) == len(expected)
    out = tmp_path / "out"
    for name in ("latin1", "cp1252", "bom", "Corée du Nord – été"):
        assert (out / f"{name}.jsonl").is_file(), name
    assert "Le président a été reçu à Pékin." in (out / "latin1.jsonl").read_text("utf-8")
    assert "L’été à Séoul – « oui »." in (out / "cp1252.jsonl").read_text("utf-8")
    bom = (out / "bom.jsonl").read_text("utf-8")
    assert "\ufeff" not in bom and "\\r" not in bom and "Le traité est signé." in bom


def bad_corpus(folder: Path, case: str) -> tuple[Path, str]:
    """(what to give --corpus, the expected fragment of the error) for each case."""
    folder.mkdir()
    if case == "missing":
        return folder / "absent", f"corpus folder {folder / 'absent'} does not exist"
    if case == "file":  # one article is a corpus (tests/test_inputs.py), a photo is not
        (folder / "photo.jpg").write_bytes(b"\xff\xd8")
        return folder / "photo.jpg", f"corpus {folder / 'photo.jpg'} is neither a folder nor"
    if case == "no-article":
        (folder / "photo.jpg").write_bytes(b"\xff\xd8")
        (folder / "vide.txt").write_bytes(b"")
        return folder, f"corpus folder {folder} holds no readable article (.txt .md .html"
    if case == "same-name":
        (folder / "a.txt").write_text("Un.\n")
        (folder / "a.md").write_text("Deux.\n")
        return folder, "would write the same outputs; rename one"
    assert case == "colon"
    (folder / "a:b.txt").write_text("Un.\n")
    return folder, "a:b.txt: a ':' in an article's name is not allowed"


@pytest.mark.parametrize("case", ["missing", "file", "no-article", "same-name", "colon"])
def test_an_unusable_corpus_is_one_line_and_changes_nothing(project, case):
    corpus, message = bad_corpus(project / "bad", case)
    before = snapshot(project / "translations")
    result = run_cli("run", "--corpus", corpus, "--engine", "apertium", cwd=project)
    assert message in error_line(result)
    outputs_unchanged(project, before)


# --- glossary --------------------------------------------------------------------------

GLOSSARY_CASES = {
    # name: (file content, expected fragment of the error)
    "invalid-yaml": (
        'terms:\n  - source: "RPDC\n    target: DPRK\n',
        "glossary.yaml:4: invalid YAML: found unexpected end of stream "
        "(while scanning a quoted scalar from line 2)",
    ),
    "wrong-types": (
        "terms:\n  - source: Pékin\n    target: [Beijing]\n    case_sensitive: yes please\n",
        "glossary.yaml:3: term 'Pékin': target must be text, not a list",
    ),
    "not-a-list": ("terms: RPDC\n", "glossary.yaml:1: 'terms' must be a list"),
    "object-tag": (
        "terms:\n  - !!python/object/apply:os.system ['touch {pwned}']\n",
        "glossary.yaml:2: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not "
        "allowed (only plain data is loaded)",
    ),
    "latin-1": (b"terms:\n  - source: P\xe9kin\n    target: Beijing\n", "not UTF-8 text"),
}


@pytest.mark.parametrize("case", list(GLOSSARY_CASES))
def test_a_bad_glossary_is_one_line_with_its_line_and_term(project, case):
    """Refused before any work; a tag that would run code is never constructed."""
    content, message = GLOSSARY_CASES[case]
    pwned = project / "pwned"
    glossary = project / "glossary" / "glossary.yaml"
    if isinstance(content, bytes):
        glossary.write_bytes(content)
    else:
        glossary.write_text(content.format(pwned=pwned), encoding="utf-8")
    before = snapshot(project / "translations")
    result = run_cli("run", "--engine", "apertium", cwd=project)
    assert message in error_line(result)
    assert not pwned.exists()
    outputs_unchanged(project, before)


def test_a_glossary_folder_instead_of_a_file_is_one_line(project):
    folder = project / "folder.yaml"
    folder.mkdir()
    result = run_cli("run", "--engine", "apertium", "--glossary", folder, cwd=project)
    assert "folder.yaml: cannot read: Is a directory" in error_line(result)


HARD_TERMS = """\
  - source: G7+ (élargi)
    target: enlarged G7+
  - source: C++
    target: C++
    kind: keep
  - source: a.b
    target: A-dot-B
  - source: "*étoile*"
    target: star
  - source: Qui?
    target: Who?
  - source: Corée
    target: Korea
  - source: Corée du Nord
    target: North Korea
  - source: Nord
    target: North
"""
HARD_ARTICLE = (
    "Le G7+ (élargi) se réunit.\n\n"
    "Le code est écrit en C++ et non en axb ni en a.b.\n\n"
    "La Corée du Nord et la Corée du Sud regardent vers le Nord.\n"
)


def test_ten_thousand_terms_with_regex_characters_and_overlaps_run_whole(project):
    """A 10,000-term glossary whose terms hold `+ ( ) . * ?` and overlap each other: the
    run succeeds, each term is matched literally, and the longest term wins an overlap."""
    lines = ["terms:"]
    for number in range(10_000):
        lines += [f"  - source: mot{number} spécial", f"    target: word{number} special"]
    glossary = project / "glossary" / "glossary.yaml"
    glossary.write_text("\n".join(lines) + "\n" + HARD_TERMS, encoding="utf-8")
    (project / "termes").mkdir()
    (project / "termes" / "termes.txt").write_text(HARD_ARTICLE, encoding="utf-8")
    result = run_cli("run", "--engine", "apertium", "--corpus", "termes", cwd=project)
    assert result.returncode == 0, result.stderr
    import json

    records = [
        json.loads(line)
        for line in (project / "translations" / "termes.jsonl").read_text("utf-8").splitlines()
    ]
    found = {(r["fr"][t["start"] : t["end"]], t["source"]) for r in records for t in r["terms"]}
    assert found == {
        ("G7+ (élargi)", "G7+ (élargi)"),
        ("C++", "C++"),
        ("a.b", "a.b"),  # not `axb`: the dot is a dot
        ("Corée du Nord", "Corée du Nord"),  # the longest, not `Corée` or `Nord` inside it
        ("Corée", "Corée"),
        ("Nord", "Nord"),
    }


# --- review files ----------------------------------------------------------------------

PO_HEAD = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: {lang}\\n"\n\n'
)


def first_segment(project: Path) -> tuple[str, str]:
    import json

    path = sorted((project / "translations").glob("*.jsonl"))[0]
    record = json.loads(path.read_text(encoding="utf-8").splitlines()[1])
    return record["id"], record["fr"]


def tmx(units: list[tuple[str, str, str]], en: str = "en") -> str:
    from xml.sax.saxutils import escape, quoteattr

    body = "".join(
        f"<tu tuid={quoteattr(tuid)}>\n"
        f'<tuv xml:lang="fr"><seg>{escape(fr)}</seg></tuv>\n'
        f'<tuv xml:lang="{en}"><seg>{escape(english)}</seg></tuv>\n</tu>\n'
        for tuid, fr, english in units
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
        '<header srclang="fr" datatype="plaintext" segtype="sentence"/>\n'
        f"<body>\n{body}</body>\n</tmx>\n"
    )


def po(units: list[tuple[str, str, str]], lang: str = "en") -> str:
    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return PO_HEAD.format(lang=lang) + "".join(
        f"msgctxt {q(i)}\nmsgid {q(fr)}\nmsgstr {q(en)}\n\n" for i, fr, en in units
    )


REVIEW_CASES = {
    # name: (file name, content maker, expected fragment of the error)
    "po-syntax": (
        "bad.po",
        lambda i, fr: po([(i, fr, "Fixed.")]).replace('msgstr "Fixed."', 'msgstr "Fixed.'),
        "bad.po:8: not a PO line",
    ),
    "po-language": (
        "de.po",
        lambda i, fr: po([(i, fr, "Gut.")], "de"),
        "de.po:4: the translations are in 'de'",
    ),
    "po-other-corpus": (
        "other.po",
        lambda i, fr: po(
            [("ailleurs:1:1", "Un autre texte.", "Another."), ("ailleurs:1:2", "Encore.", "Again.")]
        ),
        "other.po:6: none of its 2 entries (the first: ailleurs:1:1) is a segment",
    ),
    "tmx-syntax": (
        "bad.tmx",
        lambda i, fr: tmx([(i, fr, "Fixed.")]).replace("</tu>", ""),
        "bad.tmx:9: not well-formed XML: mismatched tag",
    ),
    "tmx-language": (
        "de.tmx",
        lambda i, fr: tmx([(i, fr, "Gut.")], en="de-DE"),
        "de.tmx:7: language 'de-DE'",
    ),
    "tmx-other-corpus": (
        "other.tmx",
        lambda i, fr: tmx([("ailleurs:3:1", "Un autre texte.", "Another text.")]),
        "other.tmx:5: none of its 1 entries (the first: ailleurs:3:1)",
    ),
    "not-a-review-file": (
        "notes.txt",
        lambda i, fr: "Bonjour\n",
        "notes.txt: a review file is .jsonl, .po, .tmx or .xlf",
    ),
}


@pytest.mark.parametrize("case", list(REVIEW_CASES))
def test_a_bad_review_file_is_refused_in_one_line_and_nothing_is_imported(project, case):
    name, content, message = REVIEW_CASES[case]
    segment_id, french = first_segment(project)
    good = project / "good.po"
    good.write_text(po([(segment_id, french, "A reviewer's sentence.")]), encoding="utf-8")
    (project / name).write_text(content(segment_id, french), encoding="utf-8")
    memory = project / "translations" / "memory.sqlite"
    before, counts = snapshot(project / "translations"), memory_counts(memory)
    result = run_cli("review", "import", "good.po", name, cwd=project)
    assert message in error_line(result)
    assert memory_counts(memory) == counts  # good.po was not imported either
    outputs_unchanged(project, before)


def test_a_review_with_unicode_line_separators_is_imported(project):
    """A reviewer's CAT tool may put U+2028 or NEL inside a translation: it is text, not a
    line break, for polib and for the PO checks alike."""
    segment_id, french = first_segment(project)
    english = "A reviewed sentence,\u2028on two lines\x85for the tool."
    (project / "odd.po").write_text(po([(segment_id, french, english)]), encoding="utf-8")
    result = run_cli("review", "import", "odd.po", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "1 new reviews stored" in result.stdout


def test_a_missing_review_file_is_named(project):
    result = run_cli("review", "import", "nowhere.po", cwd=project)
    assert "nowhere.po: no such file" in error_line(result)


# --- engines ---------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["apertium", "auto"])
def test_no_engine_installed_is_one_line_with_the_install_command(project, tmp_path, engine):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    packages = tmp_path / "no-argos-packages"
    packages.mkdir()
    env = child_env(PATH=str(empty), ARGOS_PACKAGES_DIR=str(packages))
    before = snapshot(project / "translations")
    result = run_cli("run", "--engine", engine, cwd=project, env=env)
    line = error_line(result)
    assert "apertium" in line and "apt-get install apertium apertium-fr-es" in line
    outputs_unchanged(project, before)


FAKE_APERTIUM = '''#!{python}
"""A stand-in for apertium that crashes in the middle of a batch: the real one cannot be
made to crash on demand. `-l` and the other mode are the real apertium."""
import os, resource, signal, sys

if sys.argv[-1] != {mode!r}:
    os.execv({real!r}, [{real!r}, *sys.argv[1:]])
data = sys.stdin.buffer.read(4096)  # part of the batch
sys.stdout.buffer.write(data[:1000])  # and some output, as a real stage would
sys.stdout.flush()
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
os.kill(os.getpid(), signal.SIGSEGV)
'''


@pytest.mark.parametrize(("command", "mode"), [("run", "fr-es"), ("translate", "spa-eng")])
def test_apertium_crashing_mid_batch_fails_in_one_line_and_loses_nothing(
    project, tmp_path, command, mode
):
    """A fake `apertium` (see FAKE_APERTIUM) first on PATH dies of SIGSEGV after reading
    part of its batch. When the second stage dies, the first fails with a broken pipe, and
    the message must still name the one that crashed. `pipeline run` keeps the previous
    outputs and stores nothing half-done; `pipeline translate` prints no partial text."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "apertium"
    fake.write_text(FAKE_APERTIUM.format(python=sys.executable, mode=mode, real=APERTIUM))
    fake.chmod(0o755)
    env = child_env(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    add_sentence(project / "corpus")
    before = snapshot(project / "translations")
    fresh = tmp_path / "fresh-memory.sqlite"  # so the whole corpus goes to the engine
    if command == "run":
        args = ["run", "--engine", "apertium", "--memory", fresh]
    else:
        args = ["translate", "--engine", "apertium", next((project / "corpus").glob("*.txt"))]
    result = run_cli(*args, cwd=project, env=env)
    line = error_line(result)
    assert f"apertium {mode} failed in a batch of" in line and "crashed (SIGSEGV)" in line
    outputs_unchanged(project, before)
    if command == "run":
        # no engine text half-stored; the reviews the outputs carry were recovered into the
        # new memory before the engine ran (pipeline.review.store), and kept
        reviewed = sum(
            json.loads(line)["origin"] in ("review", "approved")
            for path in (project / "translations").glob("*.jsonl")
            for line in path.read_text(encoding="utf-8").splitlines()
        )
        assert memory_counts(fresh) == ("ok", 0, reviewed)
    else:
        assert result.stdout == ""


def damage(package: Path, case: str) -> None:
    def truncate(path: Path) -> None:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    {
        "model.bin-deleted": lambda: (package / "model" / "model.bin").unlink(),
        "model.bin-truncated": lambda: truncate(package / "model" / "model.bin"),
        "config.json-deleted": lambda: (package / "model" / "config.json").unlink(),
        "sentencepiece-deleted": lambda: (package / "sentencepiece.model").unlink(),
        "sentencepiece-truncated": lambda: truncate(package / "sentencepiece.model"),
        "metadata-broken": lambda: (package / "metadata.json").write_text("{not json"),
    }[case]()


ARGOS_DAMAGE = {
    "model.bin-deleted": "has no model/model.bin",
    "model.bin-truncated": "cannot load model/",
    "config.json-deleted": "cannot load model/",
    "sentencepiece-deleted": "has no tokenizer",
    "sentencepiece-truncated": "cannot load its tokenizer sentencepiece.model",
    "metadata-broken": "is broken",
}


@pytest.fixture
def installed_argos(argosmodel, tmp_path) -> tuple[Path, dict[str, str]]:
    """The tiny real package (tests/argos_fixture.py) installed in a folder of its own,
    and the environment that points argostranslate at it."""
    from argos_fixture import isolated_env

    from pipeline import models

    top, _ = models.read_archive_metadata(argosmodel)
    package = models.unpack(argosmodel, top, tmp_path / "argos" / "packages")
    return package, isolated_env(tmp_path / "argos")


@pytest.mark.parametrize("case", list(ARGOS_DAMAGE))
def test_an_installed_argos_package_damaged_afterwards_is_named(project, installed_argos, case):
    """Files of an installed package deleted or truncated after the install (the install
    itself refuses broken archives: tests/test_cli_models.py). `pipeline translate` loads
    the model and its tokenizer at once; `run` fails the same way, later."""
    package, env = installed_argos
    damage(package, case)
    source = project / "short.txt"
    source.write_text("Le traité a été signé.\n", encoding="utf-8")
    result = run_cli("translate", "--engine", "argos", source, cwd=project, env=env)
    line = error_line(result)
    assert str(package) in line and ARGOS_DAMAGE[case] in line, line
    assert result.stdout == ""


def test_run_with_a_damaged_argos_package_keeps_the_outputs(project, installed_argos):
    """The model file deleted: `run` refuses before any work."""
    package, env = installed_argos
    damage(package, "model.bin-deleted")
    add_sentence(project / "corpus")
    before = snapshot(project / "translations")
    result = run_cli("run", "--engine", "argos", cwd=project, env=env)
    line = error_line(result)
    assert f"argos package {package} has no model/model.bin" in line, line
    outputs_unchanged(project, before)


# --- output folder ---------------------------------------------------------------------


def test_a_file_where_the_output_folder_should_be(project):
    """Works for any user (the read-only cases below need root or capabilities)."""
    target = project / "translations.txt"
    target.write_text("not a folder\n")
    result = run_cli("run", "--engine", "apertium", "--out", target, cwd=project)
    assert f"output folder {target} is a file, not a folder" in error_line(result)
    assert target.read_text() == "not a folder\n"


@pytest.mark.skipif(not can_mount(), reason="a read-only bind mount needs root and mount(8)")
def test_a_read_only_output_folder_fails_before_any_work(project):
    """The previous outputs are bind-mounted read-only (EROFS): chmod would not stop root."""
    out = project / "translations"
    before = snapshot(out)
    subprocess.run(["mount", "--bind", out, out], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", out], check=True)
        started = time.monotonic()
        result = run_cli("run", "--engine", "apertium", cwd=project)
        elapsed = time.monotonic() - started
    finally:
        subprocess.run(["umount", out], check=True)
    assert f"cannot write in {out.name}: Read-only file system" in error_line(result)
    assert elapsed < 60  # refused before loading spaCy and translating
    outputs_unchanged(project, before)


def test_an_output_folder_without_permission_fails_before_any_work(project):
    """The folder is made read-only with chmod; as root, the command runs without the
    capability that lets root write anyway (setpriv), so the check is the real EACCES."""
    out = project / "translations"
    before = snapshot(out)
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: chmod cannot stop root")
        drop = "-dac_override,-dac_read_search"
        prefix = ("setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}")
    out.chmod(0o555)
    try:
        result = run_cli("run", "--engine", "apertium", cwd=project, prefix=prefix)
    finally:
        out.chmod(0o755)
    line = error_line(result)
    assert "translations: Permission denied (no permission)" in line
    assert line.startswith("error: cannot write in ")
    outputs_unchanged(project, before)


def fill(folder: Path, leave: int = 0) -> None:
    """Fill the file system of `folder` until `leave` bytes are left."""
    filler = folder / "filler.bin"
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError:
            pass
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))


@pytest.fixture
def small_disk(project):
    """translations/ on a 2 MB tmpfs holding the previous outputs, None where mounting is
    not allowed."""
    if not can_mount():
        yield None
        return
    out = project / "translations"
    saved = project / "saved-translations"
    out.rename(saved)
    out.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", out], check=True)
    try:
        for path in saved.iterdir():
            shutil.copy2(path, out / path.name)
        yield out
    finally:
        subprocess.run(["umount", "-l", out], check=True)


def test_a_full_disk_fails_in_one_line_naming_the_file_and_keeps_every_output(
    project, small_disk, tmp_path
):
    """Where it can mount one (root), a real full file system: a small tmpfs filled up.
    The memory is elsewhere and answers every sentence but one, so what cannot be written
    is the outputs. Elsewhere a file size limit in the child (RLIMIT_FSIZE: writes past
    10 KB fail with EFBIG), which needs no privilege (a loop device would need root too);
    it applies to every file, so the memory (its 32 KB shared-memory file) may be what
    fails first, and the message names it."""
    import resource

    out = project / "translations"
    memory = tmp_path / "memory.sqlite"
    shutil.copy2(out / "memory.sqlite", memory)
    add_sentence(project / "corpus")
    before = snapshot(out)
    limit = None
    if small_disk is not None:
        fill(out, leave=8192)  # room for a little, not for the new outputs
    else:

        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (10_000, 10_000))

    result = run_cli(
        "run", "--engine", "apertium", "--memory", memory, cwd=project, preexec_fn=limit
    )
    line = error_line(result)
    if small_disk is not None:
        assert line.startswith("error: cannot write translations/"), line
        assert "No space left on device (the disk is full)" in line, line
        (out / "filler.bin").unlink()
    else:
        output = line.startswith("error: cannot write translations/") and (
            "File too large (the file size limit was reached)" in line
        )
        assert output or (str(memory) in line and "ulimit -f" in line), line
    outputs_unchanged(project, before)
    assert memory_counts(memory)[0] == "ok"


@pytest.mark.skipif(not can_mount(), reason="mounting a tmpfs needs root and mount(8)")
def test_a_memory_on_a_full_disk_fails_at_once_naming_it(project, small_disk):
    """The memory beside the outputs on a full tmpfs: SQLite cannot even open it."""
    add_sentence(project / "corpus")
    before = snapshot(small_disk)
    fill(small_disk)
    result = run_cli("run", "--engine", "apertium", cwd=project)
    line = error_line(result)
    assert "translations/memory.sqlite" in line and "disk is full" in line, line
    (small_disk / "filler.bin").unlink()
    outputs_unchanged(project, before)
    assert memory_counts(small_disk / "memory.sqlite")[0] == "ok"


# --- Ctrl-C ----------------------------------------------------------------------------


def session_processes(session: int) -> list[tuple[int, str]]:
    """(pid, command line) of the live processes in a session: the run and its children."""
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)
            name = fields[0].split("(", 1)[1]
            state, _ppid, _pgrp, sid = fields[1].split()[:4]
        except (OSError, IndexError, ValueError):
            continue
        if int(sid) == session and state != "Z":
            try:
                command = (stat_file.parent / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                command = name.encode()
            found.append((int(stat_file.parent.name), command.decode(errors="replace")))
    return found


@pytest.mark.parametrize("target", ["group", "process", "group, --jobs 2"])
def test_ctrl_c_in_the_middle_of_a_run_keeps_the_previous_outputs(project, tmp_path, target):
    """SIGINT while apertium is translating, to the whole process group as a terminal
    sends it, or to the pipeline process alone (`kill -INT`), or to the group of a run
    with worker processes: exit 130, no traceback, the previous outputs byte-identical
    (the corpus was changed, so a finished run would have replaced them), the memory
    consistent, and no apertium or worker process left behind."""
    add_sentence(project / "corpus")
    # enough new text that apertium is still at work when the signal comes
    lines = [line for line in french_lines() if len(line) > 60][:150]
    (project / "corpus" / "suite.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(project / "translations")
    fresh = tmp_path / "fresh-memory.sqlite"
    jobs = ["--jobs", "2"] if "jobs" in target else []
    process = subprocess.Popen(
        pipeline_command("run", "--engine", "apertium", "--memory", str(fresh), *jobs),
        cwd=project,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    # `apertium -f none <mode>` translates (`apertium -l` at start-up only lists modes),
    # or the chain of a mode's tools kept running (`bash -c "... lt-proc -z ..."`)
    while not any(
        "-f none" in command or "lt-proc -z" in command
        for _, command in session_processes(process.pid)
    ):
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "apertium never started"
        time.sleep(0.05)
    if target.startswith("group"):
        os.killpg(process.pid, signal.SIGINT)
    else:
        os.kill(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "interrupted: no file was left half-written" in stderr
    outputs_unchanged(project, before)
    assert memory_counts(fresh)[0] == "ok"
    deadline = time.monotonic() + 5  # worker processes notice the run is gone
    while session_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_processes(process.pid) == []


# --- anything else ---------------------------------------------------------------------

BUG = """
import pipeline.runner

def broken_run(*args, **kwargs):
    raise KeyError("a bug planted by the test")

pipeline.runner.run = broken_run
"""


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_is_one_line_unless_debug(project, tmp_path, debug):
    """A bug is planted in the child (sitecustomize replaces runner.run), since a real one
    cannot be called up on demand."""
    (tmp_path / "plant").mkdir()
    (tmp_path / "plant" / "sitecustomize.py").write_text(BUG)
    env = child_env()
    env["PYTHONPATH"] = f"{tmp_path / 'plant'}{os.pathsep}{env['PYTHONPATH']}"
    args = ["--debug"] if debug else []
    result = run_cli(*args, "run", "--engine", "apertium", cwd=project, env=env)
    if debug:
        assert result.returncode == 1
        assert "Traceback" in result.stderr and "a bug planted by the test" in result.stderr
    else:
        line = error_line(result)
        assert line == (
            "error: internal error: KeyError: 'a bug planted by the test' "
            "(run with --debug for the traceback)"
        )


def test_a_closed_stdout_is_not_a_traceback(project):
    """`pipeline translate ... | head`: the reader went away before the translation came."""
    source = project / "short.txt"
    source.write_text("Le traité a été signé à Pyongyang.\n", encoding="utf-8")
    process = subprocess.Popen(
        pipeline_command("translate", "--engine", "apertium", str(source)),
        cwd=project,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # nobody reads: the write fails with EPIPE
    stderr = process.stderr.read().decode()
    process.wait(timeout=300)
    assert process.returncode == 1
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
