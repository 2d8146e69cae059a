import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from maatwerk.accounts.models import User
from maatwerk.demo.twofactor import is_demo_user


class Command(BaseCommand):
    help = (
        "Print the code a demo login's authenticator app shows now (demo logins only, never in production)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="a demo login, e.g. eindhoven.admin")

    def handle(self, *args, username, **options):
        if settings.PRODUCTION:
            raise CommandError("demo_code never runs in production (MAATWERK_ENV=production).")
        user = User.objects.filter(username=username).first()
        if user is None or not is_demo_user(user):
            raise CommandError(f"{username} is not a demo login: its codes are on its owner's phone only.")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} has no two-factor login set up.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        left = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        self.stderr.write(f"(valid for {left} more seconds; each code works once)")
