from celery import shared_task


@shared_task
def write_case_export(pk: int) -> None:
    """Write one large spreadsheet (a repeat, or another worker's, writes nothing)."""
    from cases.exports import case_export_write

    case_export_write(pk)


@shared_task
def sweep_case_exports() -> None:
    from cases.exports import case_exports_sweep

    case_exports_sweep()


@shared_task
def review_target_watch() -> None:
    """The 12-month review target's notices: a scan of the open cases, each notice once."""
    from cases.review_target import review_target_watch as watch
    from core.history import acting_as_system

    with acting_as_system():
        watch()
