"""Object changes: the change log of registered objects (who, when, which job, before and after).

Frozen DDL per dialect, generated once from the models of the day; never edit an applied migration.
"""

from app.db import run_for_dialect

_TABLE = (
    'CREATE TABLE "object_change" ("id" {uuid} NOT NULL PRIMARY KEY, "time" {datetime} NOT NULL, '
    '"user_id" INTEGER, "user_name" VARCHAR(150) NOT NULL, "request_id" {uuid} NOT NULL, '
    '"action" VARCHAR(16) NOT NULL, "changed_object_type" VARCHAR(100) NOT NULL, '
    '"changed_object_id" VARCHAR(64) NOT NULL, "object_repr" VARCHAR(200) NOT NULL, "object_data" TEXT, '
    '"object_data_before" TEXT, "job_result_id" {uuid}, '
    'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE SET NULL, '
    'FOREIGN KEY ("job_result_id") REFERENCES "job_result" ("id") ON DELETE SET NULL)'
)

_INDEXES = [
    'CREATE INDEX "object_change_user_id" ON "object_change" ("user_id")',
    'CREATE INDEX "object_change_job_result_id" ON "object_change" ("job_result_id")',
    'CREATE INDEX "object_change_changed_object_type_changed_object_id_time" '
    'ON "object_change" ("changed_object_type", "changed_object_id", "time")',
    'CREATE INDEX "object_change_time_id" ON "object_change" ("time", "id")',
    'CREATE INDEX "object_change_request_id" ON "object_change" ("request_id")',
]

SQL = {
    "sqlite": [_TABLE.format(uuid="TEXT", datetime="DATETIME"), *_INDEXES],
    "postgresql": [_TABLE.format(uuid="UUID", datetime="TIMESTAMP"), *_INDEXES],
}


def up(db):
    run_for_dialect(db, SQL)


def down(db):
    db.execute_sql('DROP TABLE IF EXISTS "object_change"')
