"""Git repositories of jobs: the repository table, each job record's repository and
commit, each run's commit.

Frozen DDL per dialect, generated once from the models of the day; never edit an applied migration.
"""

from app.db import run_for_dialect

_REPOSITORY = (
    'CREATE TABLE "git_repository" ("id" {serial} NOT NULL PRIMARY KEY, "name" VARCHAR(100) NOT NULL, '
    '"slug" VARCHAR(100) NOT NULL, "remote_url" VARCHAR(500) NOT NULL, "branch" VARCHAR(200) NOT NULL, '
    '"username_env" VARCHAR(100) NOT NULL, "token_env" VARCHAR(100) NOT NULL, "provided_contents" TEXT NOT NULL, '
    '"current_commit" VARCHAR(40) NOT NULL, "last_sync_time" {datetime}, "sync_status" VARCHAR(16) NOT NULL, '
    '"sync_error" TEXT NOT NULL, "created" {datetime} NOT NULL, "last_updated" {datetime} NOT NULL)'
)

_COMMON = [
    'CREATE UNIQUE INDEX "git_repository_name" ON "git_repository" ("name")',
    'CREATE UNIQUE INDEX "git_repository_slug" ON "git_repository" ("slug")',
    'ALTER TABLE "job_record" ADD COLUMN "repository_id" INTEGER '
    'REFERENCES "git_repository" ("id") ON DELETE SET NULL',
    'ALTER TABLE "job_record" ADD COLUMN "git_commit" VARCHAR(40)',
    'CREATE INDEX "job_record_repository_id" ON "job_record" ("repository_id")',
    'CREATE UNIQUE INDEX "job_record_source_repository_id_module_name_job_class_name" '
    'ON "job_record" ("source", "repository_id", "module_name", "job_class_name")',
    'ALTER TABLE "job_result" ADD COLUMN "git_commit" VARCHAR(40)',
]

SQL = {
    "sqlite": [_REPOSITORY.format(serial="INTEGER", datetime="DATETIME"), *_COMMON],
    "postgresql": [_REPOSITORY.format(serial="SERIAL", datetime="TIMESTAMP"), *_COMMON],
}


def up(db):
    run_for_dialect(db, SQL)


def down(db):
    db.execute_sql('DROP INDEX IF EXISTS "job_record_source_repository_id_module_name_job_class_name"')
    db.execute_sql('DROP INDEX IF EXISTS "job_record_repository_id"')
    db.execute_sql('ALTER TABLE "job_result" DROP COLUMN "git_commit"')
    db.execute_sql('ALTER TABLE "job_record" DROP COLUMN "git_commit"')
    db.execute_sql('ALTER TABLE "job_record" DROP COLUMN "repository_id"')
    db.execute_sql('DROP TABLE IF EXISTS "git_repository"')
