"""Desk jobs: the workspace owner's data export."""

from __future__ import annotations

from kefu.jobs import tenant_actor


@tenant_actor(queue_name="exports", max_retries=3, time_limit=6 * 3_600_000)
def workspace_export_job(export_id: int) -> None:
    """Write one export; a second delivery of a finished export does nothing."""
    from kefu.desk.exports.services import export_run

    export_run(export_id=export_id)


@tenant_actor(queue_name="maintenance", max_retries=3)
def exports_expire_job() -> int:
    """Delete the files of exports past their download days (sent daily by the scheduler)."""
    from kefu.desk.exports.services import exports_expire

    return exports_expire()
