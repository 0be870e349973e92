"""Record which process supervised each run, so the reaper can tell when that process is gone."""

from app.db import run_for_dialect

SQL = {
    "sqlite": ['ALTER TABLE "job_result" ADD COLUMN "supervisor_pid" INTEGER'],
    "postgresql": ['ALTER TABLE "job_result" ADD COLUMN "supervisor_pid" INTEGER'],
}


def up(db):
    run_for_dialect(db, SQL)


def down(db):
    db.execute_sql('ALTER TABLE "job_result" DROP COLUMN "supervisor_pid"')
