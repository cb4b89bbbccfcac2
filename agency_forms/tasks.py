from celery import shared_task


@shared_task
def chase_form_requests() -> None:
    """Reminders and escalations of reporting form requests: a scan of their state, so a
    repeat, a late run or a second beat sends nothing twice."""
    from agency_forms.chasing import form_requests_chase
    from core.history import acting_as_system

    with acting_as_system():  # as `run_job` runs it: any tracked write names the system
        form_requests_chase()
