#!/bin/sh
# docker-compose's temporal-schema job (temporalio/admin-tools image): creates Temporal's two
# PostgreSQL databases and brings their schemas to the versions this server release ships.
# `npm run stack:production` runs the same script outside Docker, with `temporal-sql-tool` built from
# the server's Go module on the PATH and TEMPORAL_SCHEMA_DIR pointing at that module's schema folder.
# Safe to run on every `up`: create tolerates an existing database, and update-schema only applies
# the versions a database does not have yet.
set -eu

sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" "$@"; }

schema_root="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema}/postgresql/v12"

# The admin-tools image has nc; outside it, the caller waits for PostgreSQL before running this.
if command -v nc >/dev/null 2>&1; then
  until nc -z "$POSTGRES_SEEDS" "$DB_PORT"; do
    echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT"
    sleep 1
  done
fi

for db in temporal temporal_visibility; do
  case "$db" in
    temporal) schema=$schema_root/temporal/versioned ;;
    *) schema=$schema_root/visibility/versioned ;;
  esac
  sql --db "$db" create || echo "database $db exists"
  # setup-schema -v 0.0 only creates the version table; it refuses when one is there already.
  sql --db "$db" setup-schema -v 0.0 || echo "database $db has a schema version table"
  sql --db "$db" update-schema -d "$schema"
done
echo "Temporal schemas are up to date"
