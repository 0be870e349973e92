"""Server-side login sessions (revocable) and the record of failed logins.

Frozen DDL per dialect, generated once from the models of the day; never edit an applied migration.
"""

from app.db import run_for_dialect

SQL = {
    'sqlite': [
        'CREATE TABLE "user_session" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "key_hash" VARCHAR(64) NOT NULL, "created" DATETIME NOT NULL, "expires" DATETIME NOT NULL, "address" VARCHAR(100) NOT NULL, "user_agent" VARCHAR(300) NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
        'CREATE INDEX "user_session_user_id" ON "user_session" ("user_id")',
        'CREATE UNIQUE INDEX "user_session_key_hash" ON "user_session" ("key_hash")',
        'CREATE INDEX "user_session_expires" ON "user_session" ("expires")',
        'CREATE TABLE "failed_login" ("id" INTEGER NOT NULL PRIMARY KEY, "created" DATETIME NOT NULL, "username" VARCHAR(150) NOT NULL, "address" VARCHAR(100) NOT NULL, "user_agent" VARCHAR(300) NOT NULL, "reason" VARCHAR(200) NOT NULL)',
        'CREATE INDEX "failed_login_created" ON "failed_login" ("created")',
    ],
    'postgresql': [
        'CREATE TABLE "user_session" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "key_hash" VARCHAR(64) NOT NULL, "created" TIMESTAMP NOT NULL, "expires" TIMESTAMP NOT NULL, "address" VARCHAR(100) NOT NULL, "user_agent" VARCHAR(300) NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
        'CREATE INDEX "user_session_user_id" ON "user_session" ("user_id")',
        'CREATE UNIQUE INDEX "user_session_key_hash" ON "user_session" ("key_hash")',
        'CREATE INDEX "user_session_expires" ON "user_session" ("expires")',
        'CREATE TABLE "failed_login" ("id" SERIAL NOT NULL PRIMARY KEY, "created" TIMESTAMP NOT NULL, "username" VARCHAR(150) NOT NULL, "address" VARCHAR(100) NOT NULL, "user_agent" VARCHAR(300) NOT NULL, "reason" VARCHAR(200) NOT NULL)',
        'CREATE INDEX "failed_login_created" ON "failed_login" ("created")',
    ],
}

TABLES = ['user_session', 'failed_login']


def up(db):
    run_for_dialect(db, SQL)


def down(db):
    for table in reversed(TABLES):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
