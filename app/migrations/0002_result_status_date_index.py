"""Index results by (status, date_created): status filters on long result lists stay fast."""


def up(db):
    db.execute_sql('CREATE INDEX "job_result_status_date_created" ON "job_result" ("status", "date_created")')


def down(db):
    db.execute_sql('DROP INDEX IF EXISTS "job_result_status_date_created"')
