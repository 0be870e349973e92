"""Record which process supervised each run, so the reaper can tell when that process is gone."""

SQL = {
    "sqlite": ['ALTER TABLE "job_result" ADD COLUMN "supervisor_pid" INTEGER'],
    "postgresql": ['ALTER TABLE "job_result" ADD COLUMN "supervisor_pid" INTEGER'],
}


def _dialect(db) -> str:
    return "postgresql" if type(db).__name__.startswith("Postgres") else "sqlite"


def up(db):
    for statement in SQL[_dialect(db)]:
        db.execute_sql(statement)


def down(db):
    db.execute_sql('ALTER TABLE "job_result" DROP COLUMN "supervisor_pid"')
