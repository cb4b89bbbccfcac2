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
