"""What the simulator's write side reads: the tasks due for an answer.

They come from the task table, a read model (the API counts tasks by kind and status): the
simulator has no table of its own here, only this query of it.
"""

from datetime import datetime

from shared.db import Connection


async def due_tasks(conn: Connection, *, now: datetime, limit: int) -> list[tuple[str, str]]:
    """(task id, order id) of waiting tasks due by `now`, the longest-due first."""
    rows = await conn.fetch(
        "SELECT task_id, order_id FROM simulator_task WHERE status = 'waiting' AND due_at <= $1"
        " ORDER BY due_at, task_id LIMIT $2",
        now,
        limit,
    )
    return [(row["task_id"], row["order_id"]) for row in rows]
