"""Scheduled jobs (later, recurring, awaiting approval) and the link from each run to its schedule slot."""

from app.db import run_for_dialect

SQL = {
    "sqlite": [
        'CREATE TABLE "scheduled_job" ("id" TEXT NOT NULL PRIMARY KEY, "name" VARCHAR(200) NOT NULL, "job_record_id" TEXT, "task_name" VARCHAR(300) NOT NULL, "user_id" INTEGER, "description" TEXT NOT NULL, "interval" VARCHAR(16) NOT NULL, "start_time" DATETIME NOT NULL, "crontab" VARCHAR(100) NOT NULL, "time_zone" VARCHAR(64) NOT NULL, "misfire_policy" VARCHAR(8) NOT NULL, "task_kwargs" TEXT NOT NULL, "options" TEXT NOT NULL, "queue" VARCHAR(100) NOT NULL, "code_digest" VARCHAR(64) NOT NULL, "enabled" INTEGER NOT NULL, "approval_state" VARCHAR(16) NOT NULL, "decided_by_id" INTEGER, "decided_at" DATETIME, "decision_reason" TEXT NOT NULL, "next_run" DATETIME, "last_run" DATETIME, "total_run_count" INTEGER NOT NULL, "skip_reason" TEXT NOT NULL, "skipped_at" DATETIME, "created" DATETIME NOT NULL, "last_updated" DATETIME NOT NULL, FOREIGN KEY ("job_record_id") REFERENCES "job_record" ("id") ON DELETE SET NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE SET NULL, FOREIGN KEY ("decided_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
        'CREATE INDEX "scheduled_job_job_record_id" ON "scheduled_job" ("job_record_id")',
        'CREATE INDEX "scheduled_job_user_id" ON "scheduled_job" ("user_id")',
        'CREATE INDEX "scheduled_job_decided_by_id" ON "scheduled_job" ("decided_by_id")',
        'CREATE INDEX "scheduled_job_approval_state" ON "scheduled_job" ("approval_state")',
        'CREATE INDEX "scheduled_job_next_run" ON "scheduled_job" ("next_run")',
        'CREATE INDEX "scheduled_job_enabled_approval_state_next_run" ON "scheduled_job" ("enabled", "approval_state", "next_run")',
        'ALTER TABLE "job_result" ADD COLUMN "scheduled_job_id" TEXT REFERENCES "scheduled_job" ("id") ON DELETE SET NULL',
        'ALTER TABLE "job_result" ADD COLUMN "scheduled_for" DATETIME',
        'ALTER TABLE "job_result" ADD COLUMN "approved_by_id" INTEGER REFERENCES "user" ("id") ON DELETE SET NULL',
        'ALTER TABLE "job_result" ADD COLUMN "approved_at" DATETIME',
        'CREATE UNIQUE INDEX "job_result_scheduled_job_id_scheduled_for" ON "job_result" ("scheduled_job_id", "scheduled_for")',
        'CREATE INDEX "job_result_approved_by_id" ON "job_result" ("approved_by_id")',
    ],
    "postgresql": [
        'CREATE TABLE "scheduled_job" ("id" UUID NOT NULL PRIMARY KEY, "name" VARCHAR(200) NOT NULL, "job_record_id" UUID, "task_name" VARCHAR(300) NOT NULL, "user_id" INTEGER, "description" TEXT NOT NULL, "interval" VARCHAR(16) NOT NULL, "start_time" TIMESTAMP NOT NULL, "crontab" VARCHAR(100) NOT NULL, "time_zone" VARCHAR(64) NOT NULL, "misfire_policy" VARCHAR(8) NOT NULL, "task_kwargs" TEXT NOT NULL, "options" TEXT NOT NULL, "queue" VARCHAR(100) NOT NULL, "code_digest" VARCHAR(64) NOT NULL, "enabled" BOOLEAN NOT NULL, "approval_state" VARCHAR(16) NOT NULL, "decided_by_id" INTEGER, "decided_at" TIMESTAMP, "decision_reason" TEXT NOT NULL, "next_run" TIMESTAMP, "last_run" TIMESTAMP, "total_run_count" INTEGER NOT NULL, "skip_reason" TEXT NOT NULL, "skipped_at" TIMESTAMP, "created" TIMESTAMP NOT NULL, "last_updated" TIMESTAMP NOT NULL, FOREIGN KEY ("job_record_id") REFERENCES "job_record" ("id") ON DELETE SET NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE SET NULL, FOREIGN KEY ("decided_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
        'CREATE INDEX "scheduled_job_job_record_id" ON "scheduled_job" ("job_record_id")',
        'CREATE INDEX "scheduled_job_user_id" ON "scheduled_job" ("user_id")',
        'CREATE INDEX "scheduled_job_decided_by_id" ON "scheduled_job" ("decided_by_id")',
        'CREATE INDEX "scheduled_job_approval_state" ON "scheduled_job" ("approval_state")',
        'CREATE INDEX "scheduled_job_next_run" ON "scheduled_job" ("next_run")',
        'CREATE INDEX "scheduled_job_enabled_approval_state_next_run" ON "scheduled_job" ("enabled", "approval_state", "next_run")',
        'ALTER TABLE "job_result" ADD COLUMN "scheduled_job_id" UUID REFERENCES "scheduled_job" ("id") ON DELETE SET NULL',
        'ALTER TABLE "job_result" ADD COLUMN "scheduled_for" TIMESTAMP',
        'ALTER TABLE "job_result" ADD COLUMN "approved_by_id" INTEGER REFERENCES "user" ("id") ON DELETE SET NULL',
        'ALTER TABLE "job_result" ADD COLUMN "approved_at" TIMESTAMP',
        'CREATE UNIQUE INDEX "job_result_scheduled_job_id_scheduled_for" ON "job_result" ("scheduled_job_id", "scheduled_for")',
        'CREATE INDEX "job_result_approved_by_id" ON "job_result" ("approved_by_id")',
    ],
}


def up(db):
    run_for_dialect(db, SQL)


def down(db):
    for statement in (
        'DROP INDEX IF EXISTS "job_result_approved_by_id"',
        'DROP INDEX IF EXISTS "job_result_scheduled_job_id_scheduled_for"',
        'ALTER TABLE "job_result" DROP COLUMN "approved_at"',
        'ALTER TABLE "job_result" DROP COLUMN "approved_by_id"',
        'ALTER TABLE "job_result" DROP COLUMN "scheduled_for"',
        'ALTER TABLE "job_result" DROP COLUMN "scheduled_job_id"',
        'DROP TABLE IF EXISTS "scheduled_job"',
    ):
        db.execute_sql(statement)
