#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a database and a media directory:
#
#   scripts/restore.sh BACKUP_DIR postgres://user:pw@host:5432/NEW_DB MEDIA_DIR
#
# The database is created when it does not exist (the role needs CREATEDB) and must be
# empty when it does; MEDIA_DIR must be empty or absent. Nothing already there is ever
# overwritten: restore beside the live site, check, then point the site at the restored
# database (DATABASE_URL) and files (MEDIA_ROOT). The restore is one transaction: it
# lands whole or not at all. See docs/operations.md.
set -euo pipefail
if [ $# -ne 3 ]; then
  sed -n '2,10s/^# \{0,1\}//p' "$0" >&2
  exit 2
fi
backup=$1 target_url=$2 media_dir=$3

echo "== checking $backup against its SHA256SUMS"
(cd "$backup" && sha256sum --quiet -c SHA256SUMS)

# libpq's variables from the URL: the password travels in the environment, not on a
# command line anyone can read with ps.
eval "$(python3 - "$target_url" <<'PY'
import shlex, sys
from urllib.parse import parse_qsl, unquote, urlsplit
url = urlsplit(sys.argv[1])
if not url.scheme.startswith("postgres") or not url.path.strip("/"):
    sys.exit("restore: the target is not a PostgreSQL URL naming a database")
env = {"PGHOST": url.hostname or "127.0.0.1", "PGPORT": str(url.port or 5432), "PGUSER": unquote(url.username or ""),
       "PGPASSWORD": unquote(url.password or ""), "PGDATABASE": unquote(url.path.lstrip("/"))}
env.update((f"PG{key.upper()}", value) for key, value in parse_qsl(url.query))  # ?sslmode=require
print("\n".join(f"export {key}={shlex.quote(value)}" for key, value in env.items()))
PY
)"
target=$PGDATABASE
major=$(PGDATABASE=postgres psql -XAtc "SELECT current_setting('server_version_num')::int / 10000")
PG_BIN=${PG_BIN:-/usr/lib/postgresql/$major/bin}
[ -x "$PG_BIN/pg_restore" ] || PG_BIN=$(dirname "$(command -v pg_restore)")

if [ -n "$(ls -A "$media_dir" 2>/dev/null)" ]; then
  echo "restore: $media_dir is not empty; name a new directory" >&2
  exit 1
fi
exists=$(echo "SELECT 1 FROM pg_database WHERE datname = :'target'" | PGDATABASE=postgres psql -XAt -v target="$target")
if [ "$exists" = 1 ]; then
  tables=$(psql -XAtc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
  if [ "$tables" != 0 ]; then
    echo "restore: database $target already has $tables tables; restore into a new one" >&2
    exit 1
  fi
else
  echo "== creating database $target"
  "$PG_BIN/createdb" --maintenance-db=postgres "$target"
fi

echo "== restoring the database into $target"
"$PG_BIN/pg_restore" --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$target" "$backup/database.dump"
# Planner statistics are not in a dump: gather them now (the restored tables only), not
# at autovacuum's leisure.
echo "SELECT format('ANALYZE %I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = 'public' \\gexec" |
  psql -XAq

echo "== restoring the files into $media_dir"
mkdir -p "$media_dir"
tar -C "$media_dir" -xzf "$backup/media.tar.gz"

tables=$(psql -XAtc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
files=$(find "$media_dir" -type f | wc -l)
echo "== restored: $tables tables, $files files. Check the restored site before switching over (docs/operations.md)."
