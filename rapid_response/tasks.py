from celery import shared_task


@shared_task
def rapid_response_clock() -> None:
    """Flag unexpected deaths whose planning discussion was missed: a scan of their state,
    so a repeat, a late run or a second beat flags each once."""
    from core.history import acting_as_system
    from rapid_response.clock import rapid_response_clock as scan

    with acting_as_system():
        scan()
