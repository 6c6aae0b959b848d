#!/usr/bin/env bash
# Back up the site: the database DATABASE_URL names (pg_dump, custom format) and the uploaded
# files under MEDIA_ROOT (import files and their error reports), into a new directory
# DEST/antifraud-<date>-<time>/ with a SHA256SUMS file. Prints that directory.
#
#   DATABASE_URL=postgres://user:pw@host:5432/antifraud MEDIA_ROOT=/srv/antifraud/media \
#     scripts/backup.sh [DEST]            # DEST defaults to var/backups
#
# The dump is one consistent snapshot of the database, taken while the site runs. The files
# are archived after it, so every file the dump names is in the archive (files are only
# ever added). Restore with scripts/restore.sh; see docs/operations.md.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL (postgres://user:password@host:5432/db)}"

# libpq's variables from the URL: the password travels in the environment, not on a
# command line anyone can read with ps.
eval "$(python3 - "$DATABASE_URL" <<'PY'
import shlex, sys
from urllib.parse import parse_qsl, unquote, urlsplit
url = urlsplit(sys.argv[1])
if not url.scheme.startswith("postgres"):
    sys.exit("backup: DATABASE_URL is not a PostgreSQL URL")
env = {"PGHOST": url.hostname or "127.0.0.1", "PGPORT": str(url.port or 5432), "PGUSER": unquote(url.username or ""),
       "PGPASSWORD": unquote(url.password or ""), "PGDATABASE": unquote(url.path.lstrip("/"))}
env.update((f"PG{key.upper()}", value) for key, value in parse_qsl(url.query))  # ?sslmode=require
print("\n".join(f"export {key}={shlex.quote(value)}" for key, value in env.items()))
PY
)"
# pg_dump must be at least the server's version: Debian keeps each in /usr/lib/postgresql/<major>/bin.
major=$(psql -XAtc "SELECT current_setting('server_version_num')::int / 10000")
PG_BIN=${PG_BIN:-/usr/lib/postgresql/$major/bin}
[ -x "$PG_BIN/pg_dump" ] || PG_BIN=$(dirname "$(command -v pg_dump)")

dest_root=${1:-var/backups}
media_root=${MEDIA_ROOT:-${VAR_DIR:-var}/media}
dest="$dest_root/antifraud-$(date +%Y%m%d-%H%M%S)"
[ ! -e "$dest" ] || { echo "backup: $dest exists already" >&2; exit 1; }
umask 077 # the dump holds personal data: for the operator's eyes only
mkdir -p "$dest"

"$PG_BIN/pg_dump" --format=custom --no-owner --no-privileges --file="$dest/database.dump"
if [ -d "$media_root" ]; then
  tar -C "$media_root" -czf "$dest/media.tar.gz" .
else
  echo "backup: no media directory at $media_root; the archive is empty" >&2
  tar -czf "$dest/media.tar.gz" -T /dev/null
fi
{
  echo "database: $PGDATABASE on $PGHOST:$PGPORT, PostgreSQL $(psql -XAtc 'SHOW server_version')"
  echo "dumped by: $("$PG_BIN/pg_dump" --version)"
  echo "media: $media_root"
  echo "taken: $(date --iso-8601=seconds)"
} >"$dest/manifest.txt"
(cd "$dest" && sha256sum database.dump media.tar.gz manifest.txt >SHA256SUMS)
echo "$dest"
