"""Job queues (Nautobot 2.4's JobQueue) and each worker's concurrency on its heartbeat row.

Frozen DDL per dialect, generated once from the models of the day; never edit an applied migration.
"""

from app.db import run_for_dialect

_QUEUE = (
    'CREATE TABLE "job_queue" ("id" {serial} NOT NULL PRIMARY KEY, "name" VARCHAR(100) NOT NULL, '
    '"description" VARCHAR(200) NOT NULL, "created" {datetime} NOT NULL, "last_updated" {datetime} NOT NULL)'
)

_COMMON = [
    'CREATE UNIQUE INDEX "job_queue_name" ON "job_queue" ("name")',
    'ALTER TABLE "worker_heartbeat" ADD COLUMN "concurrency" INTEGER NOT NULL DEFAULT 1',
]

SQL = {
    "sqlite": [_QUEUE.format(serial="INTEGER", datetime="DATETIME"), *_COMMON],
    "postgresql": [_QUEUE.format(serial="SERIAL", datetime="TIMESTAMP"), *_COMMON],
}


def up(db):
    run_for_dialect(db, SQL)


def down(db):
    db.execute_sql('ALTER TABLE "worker_heartbeat" DROP COLUMN "concurrency"')
    db.execute_sql('DROP INDEX IF EXISTS "job_queue_name"')
    db.execute_sql('DROP TABLE IF EXISTS "job_queue"')
