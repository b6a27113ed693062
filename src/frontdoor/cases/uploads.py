"""What may be sent with an update on a case: the type is judged by the file's content, never
by its name alone, and its size is limited (FRONTDOOR_MAX_UPLOAD_BYTES)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PureWindowsPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile


@dataclass(frozen=True)
class FileKind:
    extension: str
    label: str


ACCEPTED = {
    "application/pdf": FileKind("pdf", "PDF"),
    "image/jpeg": FileKind("jpg", "JPG"),
    "image/png": FileKind("png", "PNG"),
    "application/msword": FileKind("doc", "Word document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": FileKind(
        "docx", "Word document"
    ),
    "application/vnd.oasis.opendocument.text": FileKind("odt", "ODT document"),
}
# For the file input's accept attribute: what the browser's file picker offers first.
ACCEPT_ATTRIBUTE = ".pdf,.jpg,.jpeg,.png,.doc,.docx,.odt"
KINDS_IN_WORDS = "a PDF, JPG, PNG, Word or ODT document"
# filetype reads no more than this of a file to recognise it.
_HEAD_BYTES = 8192
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]+")


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    name: str
    size: int


def size_in_words(size: int) -> str:
    """Like GOV.UK writes sizes: '10MB', '500KB'."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g}MB"
    return f"{max(size // 1024, 1)}KB"


def upload_check(upload: UploadedFile) -> CheckedUpload:
    """The file's type (from its content) and a name to show it by, or a ValidationError
    saying what is wrong in the words of GOV.UK's file upload pattern."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError("The selected file is empty", code="empty")
    limit = settings.FRONTDOOR_MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError(
            f"The selected file must be smaller than {size_in_words(limit)}", code="too_big"
        )
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ACCEPTED:
        raise ValidationError(f"The selected file must be {KINDS_IN_WORDS}", code="wrong_type")
    extension = ACCEPTED[kind.mime].extension
    return CheckedUpload(
        content_type=kind.mime,
        extension=extension,
        name=display_name(upload.name or "", extension),
        size=size,
    )


def display_name(sent_as: str, extension: str) -> str:
    """What the sender called the file, made safe to show and to offer as a download name: no
    folders, no control or reserved characters, and the extension of what it really is."""
    base = PureWindowsPath(sent_as).name  # also splits on "/", and on "\\" from Windows
    base = unicodedata.normalize("NFC", base)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = " ".join(_UNSAFE.sub(" ", stem).split()).strip(". ")[:150] or "file"
    return f"{stem}.{extension}"
