"""Print the demo users, their roles and the shared password."""

from typing import Any

from django.core.management.base import BaseCommand

from accounts.models import Role, User
from huitou.demo.users import DEMO_USERS, PASSWORD, TEAM


class Command(BaseCommand):
    help = "Print the demo logins (username, role, team) and their shared password."

    def handle(self, *args: Any, **options: Any) -> None:
        """List the demo users that exist; say how to create them when none does."""
        existing = set(
            User.objects.filter(username__in=[demo.username for demo in DEMO_USERS]).values_list(
                "username", flat=True
            )
        )
        if not existing:
            self.stdout.write("No demo users yet: run `manage.py load_demo`.")
            return
        self.stdout.write(f"Demo logins (password for all: {PASSWORD}):")
        for demo in DEMO_USERS:
            if demo.username in existing:
                team = f", team {TEAM}" if demo.in_team else ""
                self.stdout.write(f"  {demo.username:<8} {Role(demo.role).label}{team}")
        if any(demo.role == Role.REP and demo.username in existing for demo in DEMO_USERS):
            self.stdout.write(
                "A rep signs in to start on Today (/engagement/today/): birthdays and life "
                "events coming up, overdue cadence calls and churn warnings, one line per "
                "customer. Sent greetings are in Admin → Engagement → Sink messages; the care "
                "they led to is on /engagement/care-effect/."
            )
