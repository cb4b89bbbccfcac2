from django.db import models


class Heartbeat(models.Model):
    """The last time each periodic job ran: the health page shows whether beat is alive.

    Operational state only, not case data, so it keeps no history.
    """

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M}"
