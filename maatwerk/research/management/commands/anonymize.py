"""`maatwerk anonymize`: Dutch text on stdin, the same text with personal data replaced by tags on stdout.

Paragraphs (separated by blank lines) keep their order and count; maatwerk/lib/anonymize/ says what is
tagged and what is kept. No database is touched.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from maatwerk.lib.anonymize import anonymize


class Command(BaseCommand):
    help = "Read Dutch text on stdin and write it de-identified to stdout; paragraphs keep order and count."
    requires_system_checks = []  # text in, text out
    stealth_options = ("stdin",)  # call_command("anonymize", stdin=io.StringIO(...), stdout=...)

    def handle(self, *args, **options):
        source = options.get("stdin") or sys.stdin.buffer
        text = source.read()
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as error:
                raise CommandError(f"stdin is not UTF-8 ({error})") from error
        result = anonymize(text)
        if getattr(self.stdout, "_out", None) is sys.stdout:
            # Bytes, so that the output is UTF-8 whatever the locale and "\r\n" is not translated.
            sys.stdout.flush()
            sys.stdout.buffer.write(result.encode("utf-8"))
            sys.stdout.buffer.flush()
        else:
            self.stdout.write(result, ending="")
