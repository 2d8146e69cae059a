"""`maatwerk anonymize` (the command; the anonymiser itself is tested in maatwerk/lib/tests/
test_anonymize.py): stdin to stdout, bytes and line ends kept, no database needed."""

import io
import os
import subprocess
import sys

from django.core.management import call_command

from maatwerk import cli
from maatwerk.lib import anonymize as an
from maatwerk.lib.tests.test_anonymize import FAMILY, assert_same_paragraphs


def test_command_reads_stdin_and_writes_stdout():
    text = FAMILY.replace("\n", "\r\n")
    out = io.StringIO()
    call_command("anonymize", stdin=io.StringIO(text), stdout=out)
    assert out.getvalue() == an.anonymize(text)
    assert_same_paragraphs(text, out.getvalue())


def test_command_reads_utf8_bytes():
    out = io.StringIO()
    call_command("anonymize", stdin=io.BytesIO("Ayşe Öztürk belt.\n".encode()), stdout=out)
    assert out.getvalue() == "[PERSOON-1] belt.\n"


def test_command_with_empty_input_writes_nothing():
    out = io.StringIO()
    call_command("anonymize", stdin=io.StringIO(""), stdout=out)
    assert out.getvalue() == ""


def run_cli(monkeypatch, capsysbinary, data: bytes) -> tuple[int, bytes]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    status = cli.main(["anonymize"])
    return status, capsysbinary.readouterr().out


def test_maatwerk_anonymize_keeps_bytes_and_line_ends(monkeypatch, capsysbinary):
    text = "\r\n" + FAMILY.replace("\n", "\r\n") + "\r\n"
    status, out = run_cli(monkeypatch, capsysbinary, text.encode())
    assert status == 0
    assert out == an.anonymize(text).encode()
    assert b"Amrani" not in out and out.count(b"\r\n") == text.count("\r\n")


def test_maatwerk_anonymize_with_empty_input(monkeypatch, capsysbinary):
    assert run_cli(monkeypatch, capsysbinary, b"") == (0, b"")


def test_maatwerk_anonymize_as_a_process_needs_no_database():
    # A database that cannot be reached: any query would fail the command.
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none"}
    result = subprocess.run(
        [sys.executable, "-m", "maatwerk.cli", "anonymize"],
        input=b"Gesprek met Jan Jansen.\n\nHet CJIB belt.\n",
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"Gesprek met [PERSOON-1].\n\nHet CJIB belt.\n"
