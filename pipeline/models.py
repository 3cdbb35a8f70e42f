"""Argos model packages: list what is installed, install from a file or the package index.

argostranslate owns the package format and the install location (its
`ARGOS_PACKAGES_DIR` setting); we add what it lacks: a check of the archive
before anything is unpacked, and a size and sha256 check against known values.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.parse
import urllib.request
import zipfile
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
        if not (path / "metadata.json").is_file():
            continue  # not a package (argostranslate would raise on it)
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


def read_archive_metadata(path: Path) -> dict[str, Any]:
    """Check that an .argosmodel is a complete package and return its metadata."""
    if not path.is_file():
        raise PipelineError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise PipelineError(f"{path}: not an .argosmodel (not a zip archive, or truncated)")
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            if bad is not None:
                raise PipelineError(f"{path}: corrupt archive member {bad}")
            names = archive.namelist()
            meta_names = [
                n
                for n in names
                if PurePosixPath(n).name == "metadata.json" and len(PurePosixPath(n).parts) == 2
            ]
            if not meta_names:
                raise PipelineError(f"{path}: no <package>/metadata.json inside")
            top = PurePosixPath(meta_names[0]).parts[0]
            for required in ("model/model.bin",):
                if f"{top}/{required}" not in names:
                    raise PipelineError(f"{path}: {top}/{required} is missing")
            if not any(f"{top}/{t}" in names for t in ("sentencepiece.model", "bpe.model")):
                raise PipelineError(f"{path}: no tokenizer (sentencepiece.model or bpe.model)")
            metadata = json.loads(archive.read(meta_names[0]))
    except (zipfile.BadZipFile, OSError, json.JSONDecodeError) as err:
        raise PipelineError(f"{path}: unreadable archive: {err}") from err
    if not isinstance(metadata, dict):
        raise PipelineError(f"{path}: metadata.json is not an object")
    return metadata


def expected_for(file_name: str, metadata: dict[str, Any]) -> KnownArchive | None:
    if file_name in KNOWN_ARCHIVES:
        return KNOWN_ARCHIVES[file_name]
    key = (metadata.get("from_code"), metadata.get("to_code"), metadata.get("package_version"))
    name = KNOWN_BY_VERSION.get(key)  # type: ignore[arg-type]
    return KNOWN_ARCHIVES[name] if name else None


def verify(path: Path, expected: KnownArchive | None) -> str:
    """Refuse a file whose size or sha256 differs from what is known; return its sha256."""
    digest = sha256_of(path)
    if expected is None:
        return digest
    size = path.stat().st_size
    if size != expected.size:
        raise PipelineError(
            f"{path.name}: size {size:,} bytes, expected {expected.size:,}; "
            "the file is incomplete or not the published package, not installed"
        )
    if digest != expected.sha256:
        raise PipelineError(
            f"{path.name}: sha256 {digest} does not match the expected {expected.sha256}; "
            "not installed"
        )
    return digest


def install_file(
    path: Path, expected_sha256: str | None = None, display_name: str | None = None
) -> Any:
    """Verify and install a local .argosmodel; return the installed Package."""
    from argostranslate import package

    path = Path(path)
    metadata = read_archive_metadata(path)
    name = display_name or path.name
    expected = expected_for(name, metadata)
    if expected_sha256:
        expected = KnownArchive(
            path.stat().st_size if expected is None else expected.size, expected_sha256.lower()
        )
    verify(path, expected)
    if metadata.get("type", "translate") != "translate":
        raise PipelineError(f"{name}: a {metadata.get('type')} package, not a translation model")
    package.install_from_path(path)
    installed = installed_package(metadata.get("from_code", ""), metadata.get("to_code", ""))
    if installed is None:
        raise PipelineError(f"{name}: unpacked, but argostranslate does not see the package")
    return installed


def index_url_from(setting: str | None) -> str:
    url = setting or os.environ.get("ARGOS_PACKAGE_INDEX") or DEFAULT_INDEX_URL
    if not url.endswith(".json"):
        url = url.rstrip("/") + "/index.json"
    return url


def fetch_index(url: str) -> list[dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            index = json.load(response)
    except (OSError, ValueError) as err:
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
    except OSError as err:
        raise PipelineError(f"download of {url} failed: {err}") from err


def install_from_index(
    index_url: str | None = None,
    from_code: str = "fr",
    to_code: str = "en",
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """Download the newest from→to package listed in the index, verify it, install it."""
    url = index_url_from(index_url)
    entry = choose_from_index(fetch_index(url), from_code, to_code)
    link = urllib.parse.urljoin(url, entry["links"][0])
    file_name = PurePosixPath(urllib.parse.urlparse(link).path).name
    expected_sha = entry.get("sha256")
    with tempfile.TemporaryDirectory(prefix="pipeline-download-") as tmp:
        archive = Path(tmp) / file_name
        download(link, archive, progress)
        if "size" in entry and archive.stat().st_size != int(entry["size"]):
            raise PipelineError(
                f"{file_name}: downloaded {archive.stat().st_size:,} bytes, "
                f"the index says {int(entry['size']):,}; not installed"
            )
        return install_file(archive, expected_sha256=expected_sha, display_name=file_name)
