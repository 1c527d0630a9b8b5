"""Bad PDFs get a stable code in bounded time: encrypted, cyclic page tree, absurd nesting."""

import io

import pypdf
import pytest

from procurement.documents import CorruptDocument, EncryptedDocument, scan_document
from tests.unit.test_documents import _pdf, _stream


def encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def cyclic_pdf() -> bytes:
    """The page tree lists itself among its kids."""
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            _stream(b"BT ET"),
        ]
    )


def nested_pdf(depth: int = 50_000) -> bytes:
    """A page whose dictionary holds an array nested fifty thousand deep."""
    deep = b"[" * depth + b"]" * depth
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /X " + deep + b" >>",
            _stream(b"BT ET"),
        ]
    )


def test_an_encrypted_pdf_is_refused_as_encrypted() -> None:
    with pytest.raises(EncryptedDocument) as error:
        scan_document(encrypted_pdf(), "加密.pdf")
    assert error.value.code == "encrypted_document" and "加密" in error.value.message_zh


@pytest.mark.parametrize("data", [cyclic_pdf(), nested_pdf()], ids=["cyclic", "nested"])
def test_a_cyclic_or_absurdly_nested_pdf_is_corrupt_not_a_crash(data: bytes) -> None:
    with pytest.raises(CorruptDocument) as error:
        scan_document(data, "坏文件.pdf")
    assert error.value.code == "corrupt_document"
