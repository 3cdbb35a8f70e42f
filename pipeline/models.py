"""Argos model packages: list what is installed, install from a file or the package index.

argostranslate owns the package format and the install location (its
`ARGOS_PACKAGES_DIR` setting); we add what it lacks: a check of the whole archive
before anything is unpacked, size and sha256 checks against known values, and an
unpack that never leaves a half-installed package. (We unpack ourselves also because
argostranslate's `install_from_path` imports `argostranslate.translate`, which loads
torch, stanza and spaCy: seconds, for nothing.)
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import tempfile
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.errors import PipelineError

DEFAULT_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"


@dataclass(frozen=True)
class KnownArchive:
    size: int
    sha256: str


# Published archives whose bytes we know; a download or file that differs is refused.
KNOWN_ARCHIVES = {
    "translate-fr_en-1_9.argosmodel": KnownArchive(
        66_585_033, "3b3052fee6bb1e8e8e632a26a723eb2a2c7710dfe73ba61ffd9b83e85d4f14c1"
    ),
}
KNOWN_BY_VERSION = {("fr", "en", "1.9"): "translate-fr_en-1_9.argosmodel"}

# An archive may expand to at most this many times its size, plus a margin (a published
# model stores weights that barely compress: 66 MB expand to about 100 MB), and never
# beyond the absolute limit: a 1 MB archive of zeros must not fill the disk.
EXPANSION_RATIO = 10
EXPANSION_MARGIN = 64 * 2**20
EXPANDED_LIMIT = 8 * 2**30


def expanded_limit(archive_size: int) -> int:
    return min(EXPANDED_LIMIT, EXPANSION_RATIO * archive_size + EXPANSION_MARGIN)


def packages_dir() -> Path:
    from argostranslate import settings

    return Path(settings.package_data_dir)


def installed_packages() -> list[Any]:
    from argostranslate import package

    root = packages_dir()
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.iterdir()):
        if path.name.startswith(".") or not (path / "metadata.json").is_file():
            continue  # not a package: an install in progress, or a stray file
        try:
            found.append(package.Package(path))
        except (OSError, ValueError, KeyError) as err:
            raise PipelineError(f"argos package {path} is broken: {err}") from err
    return found


def installed_package(from_code: str, to_code: str) -> Any | None:
    matches = [
        p
        for p in installed_packages()
        if p.from_code == from_code and p.to_code == to_code and p.type == "translate"
    ]
    if not matches:
        return None
    from packaging.version import InvalidVersion, Version

    def version_key(p: Any) -> Any:
        try:
            return Version(p.package_version)
        except InvalidVersion:
            return Version("0")

    return max(matches, key=version_key)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def read_archive_metadata(path: Path) -> tuple[str, dict[str, Any]]:
    """Check that an .argosmodel is a complete package; return its folder name and metadata.

    Every member is read (CRC-checked) here, so a corrupt archive is refused before
    anything is unpacked.
    """
    if path.is_dir():
        raise PipelineError(f"{path}: a folder, not an .argosmodel file")
    if not path.is_file():
        raise PipelineError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise PipelineError(
            f"{path}: not an .argosmodel (not a zip archive, or truncated), not installed"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            # The sizes the archive declares bound what unpacking writes (zipfile reads
            # no more than a member's declared size, and checks its CRC): check them
            # before reading a byte.
            expanded = sum(item.file_size for item in archive.infolist())
            limit = expanded_limit(path.stat().st_size)
            if expanded > limit:
                raise PipelineError(
                    f"{path}: would expand to {expanded:,} bytes, more than {limit:,} "
                    f"({EXPANSION_RATIO} times its size, plus {EXPANSION_MARGIN // 2**20} MB); "
                    "not a model package, not installed"
                )
            bad = archive.testzip()
            if bad is not None:
                raise PipelineError(f"{path}: corrupt archive member {bad}, not installed")
            names = archive.namelist()
            meta_names = [
                n
                for n in names
                if PurePosixPath(n).name == "metadata.json" and len(PurePosixPath(n).parts) == 2
            ]
            if not meta_names:
                raise PipelineError(f"{path}: no <package>/metadata.json inside, not installed")
            top = PurePosixPath(meta_names[0]).parts[0]
            if top.startswith(".") or top in ("", ".."):
                # argostranslate (and `models list`) skip hidden folders: a package in one
                # would be reported installed and never be seen.
                raise PipelineError(
                    f"{path}: the package folder {top!r} is hidden (starts with a dot), "
                    "not installed"
                )
            for name in names:
                parts = PurePosixPath(name).parts
                if name.startswith("/") or ".." in parts or parts[0] != top:
                    raise PipelineError(
                        f"{path}: member {name!r} lies outside the package folder {top}/, "
                        "not installed"
                    )
            for required in ("model/model.bin",):
                if f"{top}/{required}" not in names:
                    raise PipelineError(f"{path}: {top}/{required} is missing, not installed")
            if not any(f"{top}/{t}" in names for t in ("sentencepiece.model", "bpe.model")):
                raise PipelineError(
                    f"{path}: no tokenizer (sentencepiece.model or bpe.model), not installed"
                )
            metadata = json.loads(archive.read(meta_names[0]))
    except PipelineError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as err:
        raise PipelineError(f"{path}: unreadable archive ({err}), not installed") from err
    if not isinstance(metadata, dict):
        raise PipelineError(f"{path}: metadata.json is not an object, not installed")
    return top, metadata


@dataclass(frozen=True)
class Expectation:
    """What some source says the archive's bytes are (either value may be unknown)."""

    source: str  # e.g. "the published translate-fr_en-1_9.argosmodel", "the index"
    size: int | None = None
    sha256: str | None = None


def published_expectation(file_name: str, metadata: dict[str, Any]) -> Expectation | None:
    """The known size and sha256 of a published archive, by file name or by version."""
    name = file_name if file_name in KNOWN_ARCHIVES else None
    if name is None:
        key = (
            metadata.get("from_code"),
            metadata.get("to_code"),
            str(metadata.get("package_version")),
        )
        name = KNOWN_BY_VERSION.get(key)  # type: ignore[arg-type]
    if name is None:
        return None
    known = KNOWN_ARCHIVES[name]
    return Expectation(f"the published {name}", known.size, known.sha256)


def verify(path: Path, expectations: list[Expectation], display_name: str | None = None) -> str:
    """Refuse a file whose size or sha256 differs from any expectation; return its sha256."""
    name = display_name or path.name
    size = path.stat().st_size
    for expected in expectations:
        if expected.size is not None and size != expected.size:
            raise PipelineError(
                f"{name}: size {size:,} bytes, but {expected.source} says {expected.size:,}; "
                "the file is incomplete or not that package, not installed"
            )
    digest = sha256_of(path)
    for expected in expectations:
        if expected.sha256 is not None and digest != expected.sha256.lower():
            raise PipelineError(
                f"{name}: sha256 {digest} does not match {expected.sha256.lower()}, "
                f"which {expected.source} gives; not installed"
            )
    return digest


def unpack(path: Path, top: str, root: Path) -> Path:
    """Unpack the archive's package folder into root/top, replacing an older copy whole.

    The files go to a temporary folder beside it first, so a failure leaves nothing
    half-installed and the old copy, if any, untouched.
    """
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{top}.", dir=root))
    except OSError as err:
        raise PipelineError(f"cannot write in the argos packages folder {root}: {err}") from err
    target = root / top
    try:
        refuse_to_replace_another(target)
    except PipelineError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        with zipfile.ZipFile(path) as archive:
            archive.extractall(staging)
        old = None
        if target.exists():
            old = root / f".{top}.old-{os.getpid()}"
            target.rename(old)
        try:
            (staging / top).rename(target)
        except OSError:
            if old is not None:
                old.rename(target)  # put the previous copy back
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except (OSError, zipfile.BadZipFile, zlib.error) as err:
        raise PipelineError(f"cannot unpack {path.name} into {root}: {err}") from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def refuse_to_replace_another(target: Path, pair: tuple[str, str] = ("fr", "en")) -> None:
    """Installing replaces the folder of the archive's name: only when it holds an earlier
    copy of the same package (a translate package for the same pair), never another
    package (an archive whose folder is named `translate-de_en` would delete it) nor a
    folder that is not a package."""
    if not target.exists() and not target.is_symlink():
        return
    metadata_path = target / "metadata.json"
    try:
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        metadata = None
    if not isinstance(metadata, dict):
        raise PipelineError(
            f"{target} exists and is not an argos package; it would be replaced: "
            "not installed (move it away first)"
        )
    theirs = (metadata.get("type", "translate"), metadata.get("from_code"), metadata.get("to_code"))
    if theirs != ("translate", *pair):
        raise PipelineError(
            f"{target} holds the installed {theirs[0]} package {theirs[1]}→{theirs[2]}, "
            f"which this archive's folder of the same name would replace: not installed"
        )


def install_file(
    path: Path,
    expected_sha256: str | None = None,
    display_name: str | None = None,
    expectations: list[Expectation] | None = None,
) -> Any:
    """Verify and install a local .argosmodel; return the installed Package.

    Refused (nothing written) when the archive is incomplete, is not a fr→en
    translation package, or its bytes differ from the published package of that name
    or version, from `expected_sha256`, or from any of `expectations`.
    """
    from argostranslate import package

    path = Path(path)
    name = display_name or path.name
    top, metadata = read_archive_metadata(path)
    checks = list(expectations or [])
    published = published_expectation(name, metadata)
    if published is not None:
        checks.append(published)
    if expected_sha256:
        checks.append(Expectation("--sha256", sha256=expected_sha256))
    verify(path, checks, name)
    kind = metadata.get("type", "translate")
    pair = (metadata.get("from_code"), metadata.get("to_code"))
    if kind != "translate" or pair != ("fr", "en"):
        raise PipelineError(
            f"{name}: a {kind} package for {pair[0]}→{pair[1]}, "
            "not the fr→en translation model this pipeline uses; not installed"
        )
    target = unpack(path, top, packages_dir())
    try:
        return package.Package(target)
    except (OSError, ValueError, KeyError) as err:
        raise PipelineError(f"{name}: unpacked into {target}, but it does not load: {err}") from err


def index_url_from(setting: str | None) -> str:
    url = setting or os.environ.get("ARGOS_PACKAGE_INDEX") or DEFAULT_INDEX_URL
    if not urllib.parse.urlparse(url).scheme and Path(url).exists():
        url = Path(url).resolve().as_uri()  # an index (a mirror) in a local folder
    if not url.endswith(".json"):
        url = url.rstrip("/") + "/index.json"
    return url


def fetch_index(url: str) -> list[dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            index = json.load(response)
    except (OSError, ValueError, http.client.HTTPException) as err:
        raise PipelineError(f"cannot read the package index {url}: {err}") from err
    if not isinstance(index, list):
        raise PipelineError(f"package index {url}: not a list of packages")
    return index


def choose_from_index(index: list[dict[str, Any]], from_code: str, to_code: str) -> dict:
    from packaging.version import InvalidVersion, Version

    def version_key(entry: dict) -> Any:
        try:
            return Version(str(entry.get("package_version", "0")))
        except InvalidVersion:
            return Version("0")

    matches = [
        e
        for e in index
        if isinstance(e, dict)
        and e.get("from_code") == from_code
        and e.get("to_code") == to_code
        and e.get("type", "translate") == "translate"
        and isinstance(e.get("links"), list)
        and e.get("links")
    ]
    if not matches:
        raise PipelineError(f"the package index has no {from_code}→{to_code} translation package")
    return max(matches, key=version_key)


def download(url: str, target: Path, progress: Callable[[int, int], None] | None = None) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "pipeline"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response, open(target, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while block := response.read(1 << 16):
                out.write(block)
                done += len(block)
                if progress is not None:
                    progress(done, total)
    except (OSError, ValueError, http.client.HTTPException) as err:
        raise PipelineError(f"download of {url} failed: {err}") from err
    if total and done != total:
        raise PipelineError(f"download of {url} stopped at {done:,} of {total:,} bytes")


def install_from_index(
    index_url: str | None = None,
    from_code: str = "fr",
    to_code: str = "en",
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """Download the newest from→to package listed in the index, verify it, install it.

    The entry's `sha256` and `size`, when the index gives them, must match too.
    """
    url = index_url_from(index_url)
    entry = choose_from_index(fetch_index(url), from_code, to_code)
    stated = Expectation(
        f"the index entry ({url})",
        size=int(entry["size"]) if str(entry.get("size", "")).isdigit() else None,
        sha256=str(entry["sha256"]) if entry.get("sha256") else None,
    )
    failures = []
    with tempfile.TemporaryDirectory(prefix="pipeline-download-") as tmp:
        for link in entry["links"]:
            link = urllib.parse.urljoin(url, str(link))
            file_name = PurePosixPath(urllib.parse.urlparse(link).path).name or "package.argosmodel"
            archive = Path(tmp) / file_name
            try:
                download(link, archive, progress)
            except PipelineError as err:
                failures.append(str(err))
                continue  # the next mirror
            return install_file(archive, display_name=file_name, expectations=[stated])
    raise PipelineError("; ".join(failures) or f"the index entry at {url} has no link")
