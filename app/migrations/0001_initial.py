"""Initial schema: users and permissions, job records, results, logs, files, worker heartbeats.

Frozen DDL per dialect, generated once from the models of the day; never edit an applied migration.
"""

from app.db import run_for_dialect

SQL = {
    'sqlite': [
        'CREATE TABLE "user" ("id" INTEGER NOT NULL PRIMARY KEY, "username" VARCHAR(150) NOT NULL, "email" VARCHAR(254) NOT NULL, "first_name" VARCHAR(150) NOT NULL, "last_name" VARCHAR(150) NOT NULL, "password_hash" VARCHAR(255) NOT NULL, "is_active" INTEGER NOT NULL, "is_staff" INTEGER NOT NULL, "is_superuser" INTEGER NOT NULL, "date_joined" DATETIME NOT NULL, "last_login" DATETIME)',
        'CREATE UNIQUE INDEX "user_username" ON "user" ("username")',
        'CREATE TABLE "group" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(150) NOT NULL)',
        'CREATE UNIQUE INDEX "group_name" ON "group" ("name")',
        'CREATE TABLE "user_group" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "group_id" INTEGER NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE, FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE)',
        'CREATE INDEX "user_group_user_id" ON "user_group" ("user_id")',
        'CREATE INDEX "user_group_group_id" ON "user_group" ("group_id")',
        'CREATE UNIQUE INDEX "user_group_user_id_group_id" ON "user_group" ("user_id", "group_id")',
        'CREATE TABLE "object_permission" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(100) NOT NULL, "description" VARCHAR(200) NOT NULL, "enabled" INTEGER NOT NULL, "object_types" TEXT NOT NULL, "actions" TEXT NOT NULL, "constraints" TEXT)',
        'CREATE UNIQUE INDEX "object_permission_name" ON "object_permission" ("name")',
        'CREATE TABLE "permission_user" ("id" INTEGER NOT NULL PRIMARY KEY, "permission_id" INTEGER NOT NULL, "user_id" INTEGER NOT NULL, FOREIGN KEY ("permission_id") REFERENCES "object_permission" ("id") ON DELETE CASCADE, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
        'CREATE INDEX "permission_user_permission_id" ON "permission_user" ("permission_id")',
        'CREATE INDEX "permission_user_user_id" ON "permission_user" ("user_id")',
        'CREATE UNIQUE INDEX "permission_user_permission_id_user_id" ON "permission_user" ("permission_id", "user_id")',
        'CREATE TABLE "permission_group" ("id" INTEGER NOT NULL PRIMARY KEY, "permission_id" INTEGER NOT NULL, "group_id" INTEGER NOT NULL, FOREIGN KEY ("permission_id") REFERENCES "object_permission" ("id") ON DELETE CASCADE, FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE)',
        'CREATE INDEX "permission_group_permission_id" ON "permission_group" ("permission_id")',
        'CREATE INDEX "permission_group_group_id" ON "permission_group" ("group_id")',
        'CREATE UNIQUE INDEX "permission_group_permission_id_group_id" ON "permission_group" ("permission_id", "group_id")',
        'CREATE TABLE "token" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "key_hash" VARCHAR(64) NOT NULL, "prefix" VARCHAR(8) NOT NULL, "description" VARCHAR(200) NOT NULL, "created" DATETIME NOT NULL, "expires" DATETIME, "last_used" DATETIME, "write_enabled" INTEGER NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
        'CREATE INDEX "token_user_id" ON "token" ("user_id")',
        'CREATE UNIQUE INDEX "token_key_hash" ON "token" ("key_hash")',
        'CREATE TABLE "login_failure" ("id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(300) NOT NULL, "count" INTEGER NOT NULL, "first_failure" DATETIME NOT NULL, "last_failure" DATETIME NOT NULL)',
        'CREATE UNIQUE INDEX "login_failure_key" ON "login_failure" ("key")',
        'CREATE TABLE "job_record" ("id" TEXT NOT NULL PRIMARY KEY, "source" VARCHAR(16) NOT NULL, "git_repository" VARCHAR(100), "module_name" VARCHAR(200) NOT NULL, "job_class_name" VARCHAR(100) NOT NULL, "class_path" VARCHAR(300) NOT NULL, "grouping" VARCHAR(255) NOT NULL, "name" VARCHAR(100) NOT NULL, "description" TEXT NOT NULL, "approval_required" INTEGER NOT NULL, "dryrun_default" INTEGER NOT NULL, "has_sensitive_variables" INTEGER NOT NULL, "hidden" INTEGER NOT NULL, "is_singleton" INTEGER NOT NULL, "read_only" INTEGER NOT NULL, "soft_time_limit" REAL NOT NULL, "time_limit" REAL NOT NULL, "task_queues" TEXT NOT NULL, "grouping_override" INTEGER NOT NULL, "name_override" INTEGER NOT NULL, "description_override" INTEGER NOT NULL, "approval_required_override" INTEGER NOT NULL, "dryrun_default_override" INTEGER NOT NULL, "has_sensitive_variables_override" INTEGER NOT NULL, "hidden_override" INTEGER NOT NULL, "is_singleton_override" INTEGER NOT NULL, "read_only_override" INTEGER NOT NULL, "soft_time_limit_override" INTEGER NOT NULL, "time_limit_override" INTEGER NOT NULL, "task_queues_override" INTEGER NOT NULL, "enabled" INTEGER NOT NULL, "installed" INTEGER NOT NULL, "supports_dryrun" INTEGER NOT NULL, "is_job_hook_receiver" INTEGER NOT NULL, "is_job_button_receiver" INTEGER NOT NULL, "template_name" VARCHAR(255) NOT NULL, "source_file" VARCHAR(1000) NOT NULL, "created" DATETIME NOT NULL, "last_updated" DATETIME NOT NULL)',
        'CREATE UNIQUE INDEX "job_record_class_path" ON "job_record" ("class_path")',
        'CREATE INDEX "job_record_grouping_name" ON "job_record" ("grouping", "name")',
        'CREATE TABLE "job_result" ("id" TEXT NOT NULL PRIMARY KEY, "job_record_id" TEXT, "name" VARCHAR(255) NOT NULL, "task_name" VARCHAR(300) NOT NULL, "user_id" INTEGER, "status" VARCHAR(16) NOT NULL, "date_created" DATETIME NOT NULL, "date_started" DATETIME, "date_done" DATETIME, "task_kwargs" TEXT, "options" TEXT NOT NULL, "result" TEXT, "traceback" TEXT, "queue" VARCHAR(100) NOT NULL, "worker" VARCHAR(255), "log_count" INTEGER NOT NULL, FOREIGN KEY ("job_record_id") REFERENCES "job_record" ("id") ON DELETE SET NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
        'CREATE INDEX "job_result_job_record_id" ON "job_result" ("job_record_id")',
        'CREATE INDEX "job_result_user_id" ON "job_result" ("user_id")',
        'CREATE INDEX "job_result_status" ON "job_result" ("status")',
        'CREATE INDEX "job_result_date_created" ON "job_result" ("date_created")',
        'CREATE INDEX "job_result_job_record_id_date_created" ON "job_result" ("job_record_id", "date_created")',
        'CREATE INDEX "job_result_user_id_date_created" ON "job_result" ("user_id", "date_created")',
        'CREATE INDEX "job_result_status_worker" ON "job_result" ("status", "worker")',
        'CREATE TABLE "job_log_entry" ("id" INTEGER NOT NULL PRIMARY KEY, "job_result_id" TEXT NOT NULL, "created" DATETIME NOT NULL, "log_level" VARCHAR(16) NOT NULL, "grouping" VARCHAR(255) NOT NULL, "message" TEXT NOT NULL, "log_object" VARCHAR(200) NOT NULL, "object_type" VARCHAR(100) NOT NULL, "object_id" VARCHAR(64) NOT NULL, "absolute_url" VARCHAR(255) NOT NULL, FOREIGN KEY ("job_result_id") REFERENCES "job_result" ("id") ON DELETE CASCADE)',
        'CREATE INDEX "job_log_entry_job_result_id_id" ON "job_log_entry" ("job_result_id", "id")',
        'CREATE INDEX "job_log_entry_job_result_id_log_level_id" ON "job_log_entry" ("job_result_id", "log_level", "id")',
        'CREATE TABLE "file_proxy" ("id" TEXT NOT NULL PRIMARY KEY, "job_result_id" TEXT, "name" VARCHAR(255) NOT NULL, "purpose" VARCHAR(8) NOT NULL, "size" INTEGER NOT NULL, "content" BLOB NOT NULL, "uploaded_at" DATETIME NOT NULL, FOREIGN KEY ("job_result_id") REFERENCES "job_result" ("id") ON DELETE CASCADE)',
        'CREATE INDEX "file_proxy_job_result_id" ON "file_proxy" ("job_result_id")',
        'CREATE TABLE "worker_heartbeat" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "hostname" VARCHAR(255) NOT NULL, "pid" INTEGER NOT NULL, "queues" TEXT NOT NULL, "started" DATETIME NOT NULL, "last_seen" DATETIME NOT NULL)',
        'CREATE UNIQUE INDEX "worker_heartbeat_name" ON "worker_heartbeat" ("name")',
        'CREATE INDEX "worker_heartbeat_last_seen" ON "worker_heartbeat" ("last_seen")',
    ],
    'postgresql': [
        'CREATE TABLE "user" ("id" SERIAL NOT NULL PRIMARY KEY, "username" VARCHAR(150) NOT NULL, "email" VARCHAR(254) NOT NULL, "first_name" VARCHAR(150) NOT NULL, "last_name" VARCHAR(150) NOT NULL, "password_hash" VARCHAR(255) NOT NULL, "is_active" BOOLEAN NOT NULL, "is_staff" BOOLEAN NOT NULL, "is_superuser" BOOLEAN NOT NULL, "date_joined" TIMESTAMP NOT NULL, "last_login" TIMESTAMP)',
        'CREATE UNIQUE INDEX "user_username" ON "user" ("username")',
        'CREATE TABLE "group" ("id" SERIAL NOT NULL PRIMARY KEY, "name" VARCHAR(150) NOT NULL)',
        'CREATE UNIQUE INDEX "group_name" ON "group" ("name")',
        'CREATE TABLE "user_group" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "group_id" INTEGER NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE, FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE)',
        'CREATE INDEX "user_group_user_id" ON "user_group" ("user_id")',
        'CREATE INDEX "user_group_group_id" ON "user_group" ("group_id")',
        'CREATE UNIQUE INDEX "user_group_user_id_group_id" ON "user_group" ("user_id", "group_id")',
        'CREATE TABLE "object_permission" ("id" SERIAL NOT NULL PRIMARY KEY, "name" VARCHAR(100) NOT NULL, "description" VARCHAR(200) NOT NULL, "enabled" BOOLEAN NOT NULL, "object_types" TEXT NOT NULL, "actions" TEXT NOT NULL, "constraints" TEXT)',
        'CREATE UNIQUE INDEX "object_permission_name" ON "object_permission" ("name")',
        'CREATE TABLE "permission_user" ("id" SERIAL NOT NULL PRIMARY KEY, "permission_id" INTEGER NOT NULL, "user_id" INTEGER NOT NULL, FOREIGN KEY ("permission_id") REFERENCES "object_permission" ("id") ON DELETE CASCADE, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
        'CREATE INDEX "permission_user_permission_id" ON "permission_user" ("permission_id")',
        'CREATE INDEX "permission_user_user_id" ON "permission_user" ("user_id")',
        'CREATE UNIQUE INDEX "permission_user_permission_id_user_id" ON "permission_user" ("permission_id", "user_id")',
        'CREATE TABLE "permission_group" ("id" SERIAL NOT NULL PRIMARY KEY, "permission_id" INTEGER NOT NULL, "group_id" INTEGER NOT NULL, FOREIGN KEY ("permission_id") REFERENCES "object_permission" ("id") ON DELETE CASCADE, FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE)',
        'CREATE INDEX "permission_group_permission_id" ON "permission_group" ("permission_id")',
        'CREATE INDEX "permission_group_group_id" ON "permission_group" ("group_id")',
        'CREATE UNIQUE INDEX "permission_group_permission_id_group_id" ON "permission_group" ("permission_id", "group_id")',
        'CREATE TABLE "token" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "key_hash" VARCHAR(64) NOT NULL, "prefix" VARCHAR(8) NOT NULL, "description" VARCHAR(200) NOT NULL, "created" TIMESTAMP NOT NULL, "expires" TIMESTAMP, "last_used" TIMESTAMP, "write_enabled" BOOLEAN NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
        'CREATE INDEX "token_user_id" ON "token" ("user_id")',
        'CREATE UNIQUE INDEX "token_key_hash" ON "token" ("key_hash")',
        'CREATE TABLE "login_failure" ("id" SERIAL NOT NULL PRIMARY KEY, "key" VARCHAR(300) NOT NULL, "count" INTEGER NOT NULL, "first_failure" TIMESTAMP NOT NULL, "last_failure" TIMESTAMP NOT NULL)',
        'CREATE UNIQUE INDEX "login_failure_key" ON "login_failure" ("key")',
        'CREATE TABLE "job_record" ("id" UUID NOT NULL PRIMARY KEY, "source" VARCHAR(16) NOT NULL, "git_repository" VARCHAR(100), "module_name" VARCHAR(200) NOT NULL, "job_class_name" VARCHAR(100) NOT NULL, "class_path" VARCHAR(300) NOT NULL, "grouping" VARCHAR(255) NOT NULL, "name" VARCHAR(100) NOT NULL, "description" TEXT NOT NULL, "approval_required" BOOLEAN NOT NULL, "dryrun_default" BOOLEAN NOT NULL, "has_sensitive_variables" BOOLEAN NOT NULL, "hidden" BOOLEAN NOT NULL, "is_singleton" BOOLEAN NOT NULL, "read_only" BOOLEAN NOT NULL, "soft_time_limit" REAL NOT NULL, "time_limit" REAL NOT NULL, "task_queues" TEXT NOT NULL, "grouping_override" BOOLEAN NOT NULL, "name_override" BOOLEAN NOT NULL, "description_override" BOOLEAN NOT NULL, "approval_required_override" BOOLEAN NOT NULL, "dryrun_default_override" BOOLEAN NOT NULL, "has_sensitive_variables_override" BOOLEAN NOT NULL, "hidden_override" BOOLEAN NOT NULL, "is_singleton_override" BOOLEAN NOT NULL, "read_only_override" BOOLEAN NOT NULL, "soft_time_limit_override" BOOLEAN NOT NULL, "time_limit_override" BOOLEAN NOT NULL, "task_queues_override" BOOLEAN NOT NULL, "enabled" BOOLEAN NOT NULL, "installed" BOOLEAN NOT NULL, "supports_dryrun" BOOLEAN NOT NULL, "is_job_hook_receiver" BOOLEAN NOT NULL, "is_job_button_receiver" BOOLEAN NOT NULL, "template_name" VARCHAR(255) NOT NULL, "source_file" VARCHAR(1000) NOT NULL, "created" TIMESTAMP NOT NULL, "last_updated" TIMESTAMP NOT NULL)',
        'CREATE UNIQUE INDEX "job_record_class_path" ON "job_record" ("class_path")',
        'CREATE INDEX "job_record_grouping_name" ON "job_record" ("grouping", "name")',
        'CREATE TABLE "job_result" ("id" UUID NOT NULL PRIMARY KEY, "job_record_id" UUID, "name" VARCHAR(255) NOT NULL, "task_name" VARCHAR(300) NOT NULL, "user_id" INTEGER, "status" VARCHAR(16) NOT NULL, "date_created" TIMESTAMP NOT NULL, "date_started" TIMESTAMP, "date_done" TIMESTAMP, "task_kwargs" TEXT, "options" TEXT NOT NULL, "result" TEXT, "traceback" TEXT, "queue" VARCHAR(100) NOT NULL, "worker" VARCHAR(255), "log_count" INTEGER NOT NULL, FOREIGN KEY ("job_record_id") REFERENCES "job_record" ("id") ON DELETE SET NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
        'CREATE INDEX "job_result_job_record_id" ON "job_result" ("job_record_id")',
        'CREATE INDEX "job_result_user_id" ON "job_result" ("user_id")',
        'CREATE INDEX "job_result_status" ON "job_result" ("status")',
        'CREATE INDEX "job_result_date_created" ON "job_result" ("date_created")',
        'CREATE INDEX "job_result_job_record_id_date_created" ON "job_result" ("job_record_id", "date_created")',
        'CREATE INDEX "job_result_user_id_date_created" ON "job_result" ("user_id", "date_created")',
        'CREATE INDEX "job_result_status_worker" ON "job_result" ("status", "worker")',
        'CREATE TABLE "job_log_entry" ("id" BIGSERIAL NOT NULL PRIMARY KEY, "job_result_id" UUID NOT NULL, "created" TIMESTAMP NOT NULL, "log_level" VARCHAR(16) NOT NULL, "grouping" VARCHAR(255) NOT NULL, "message" TEXT NOT NULL, "log_object" VARCHAR(200) NOT NULL, "object_type" VARCHAR(100) NOT NULL, "object_id" VARCHAR(64) NOT NULL, "absolute_url" VARCHAR(255) NOT NULL, FOREIGN KEY ("job_result_id") REFERENCES "job_result" ("id") ON DELETE CASCADE)',
        'CREATE INDEX "job_log_entry_job_result_id_id" ON "job_log_entry" ("job_result_id", "id")',
        'CREATE INDEX "job_log_entry_job_result_id_log_level_id" ON "job_log_entry" ("job_result_id", "log_level", "id")',
        'CREATE TABLE "file_proxy" ("id" UUID NOT NULL PRIMARY KEY, "job_result_id" UUID, "name" VARCHAR(255) NOT NULL, "purpose" VARCHAR(8) NOT NULL, "size" INTEGER NOT NULL, "content" BYTEA NOT NULL, "uploaded_at" TIMESTAMP NOT NULL, FOREIGN KEY ("job_result_id") REFERENCES "job_result" ("id") ON DELETE CASCADE)',
        'CREATE INDEX "file_proxy_job_result_id" ON "file_proxy" ("job_result_id")',
        'CREATE TABLE "worker_heartbeat" ("id" SERIAL NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "hostname" VARCHAR(255) NOT NULL, "pid" INTEGER NOT NULL, "queues" TEXT NOT NULL, "started" TIMESTAMP NOT NULL, "last_seen" TIMESTAMP NOT NULL)',
        'CREATE UNIQUE INDEX "worker_heartbeat_name" ON "worker_heartbeat" ("name")',
        'CREATE INDEX "worker_heartbeat_last_seen" ON "worker_heartbeat" ("last_seen")',
    ],
}

TABLES = ['user', 'group', 'user_group', 'object_permission', 'permission_user', 'permission_group', 'token', 'login_failure', 'job_record', 'job_result', 'job_log_entry', 'file_proxy', 'worker_heartbeat']


def up(db):
    run_for_dialect(db, SQL)


def down(db):
    for table in reversed(TABLES):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
