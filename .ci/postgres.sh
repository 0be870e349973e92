#!/usr/bin/env bash
# Start the local PostgreSQL cluster and create the test role and database (idempotent).
set -euo pipefail
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q .; then
    pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do
    su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break
    sleep 0.5
done
su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname='jobdeck'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"create role jobdeck login password 'jobdeck' createdb\""
su postgres -c "psql -qtAc \"select 1 from pg_database where datname='jobdeck_test'\"" | grep -q 1 ||
    su postgres -c "createdb -O jobdeck jobdeck_test"
