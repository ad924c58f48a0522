#!/usr/bin/env bash
# Production smoke test: a fresh clone, DEBUG=false, PostgreSQL and Redis, and the README's
# production commands exactly as written there (read from its "## Production" code block,
# so they cannot drift; the one substitution is gunicorn's bind address, a free loopback
# port). gunicorn, one worker and one beat start; a meeting whose reminder falls due a
# minute ahead is created; the reminder must arrive at a local SMTP sink. Every process
# this script starts is stopped by its pid at the end. Every wait is bounded.
#
#   .ci/smoke_production.sh            (from the repository; uses .venv, clones HEAD)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
VENV_BIN="${VENV_BIN:-${REPO}/.venv/bin}"
DB_NAME="mastermind_smoke"
REDIS_DB="${SMOKE_REDIS_DB:-11}"
WORK=$(mktemp -d)
PIDS=()

free_port() { "${VENV_BIN}/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    for log in "${WORK}"/*.log; do [ -f "$log" ] && { echo "---- ${log##*/}"; tail -n 40 "$log"; }; done
  fi
  rm -rf "${WORK}"
  exit "$status"
}
trap cleanup EXIT

echo "clone of $(git -C "${REPO}" rev-parse --short HEAD) into ${WORK}/app"
git clone -q "${REPO}" "${WORK}/app"
cd "${WORK}/app"
test ! -e var  # a fresh checkout: nothing prepared

# The README's production block, without its export line (its values are placeholders;
# they are set below) and without trailing comments.
awk '/^## Production/{p=1} p&&/^```sh/{inblock=1; next} inblock&&/^```/{exit} inblock{print}' README.md \
  > "${WORK}/commands.txt"
grep -v -e '^export ' -e '^ *[A-Z_]*=.*\\$' -e '^       ' "${WORK}/commands.txt" | sed 's/ *#.*$//' \
  > "${WORK}/run.txt"
echo "README commands:"; sed 's/^/  /' "${WORK}/run.txt"
for kind in "pip install" "manage.py migrate" "gunicorn " "worker" "beat"; do
  grep -q -- "$kind" "${WORK}/run.txt" || { echo "README production block lacks: $kind"; exit 1; }
done

WEB_PORT=$(free_port)
SMTP_PORT=$(free_port)
psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)"
psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE ${DB_NAME}"
redis-cli -h 127.0.0.1 -p 6379 -n "${REDIS_DB}" flushdb >/dev/null

export PATH="${VENV_BIN}:${PATH}"
export DEBUG=false
SECRET_KEY="smoke-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export SECRET_KEY
export ALLOWED_HOSTS="127.0.0.1,localhost" SITE_URL="https://mastermind.example.org"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${DB_NAME}"
export REDIS_URL="redis://127.0.0.1:6379/${REDIS_DB}"
export EMAIL_URL="smtp://127.0.0.1:${SMTP_PORT}" DEFAULT_FROM_EMAIL="Mastermind <smoke@example.org>"

python "${REPO}/.ci/smtp_sink.py" --port "${SMTP_PORT}" --log "${WORK}/sink.jsonl" > "${WORK}/sink.log" 2>&1 &
PIDS+=($!)
touch "${WORK}/sink.jsonl"

n=0
while IFS= read -r line; do
  [ -z "$line" ] && continue
  n=$((n + 1))
  case "$line" in
    gunicorn*|celery*)
      line=${line//0.0.0.0:8000/127.0.0.1:${WEB_PORT}}
      echo "start: $line"
      bash -c "exec $line" > "${WORK}/process-${n}.log" 2>&1 &
      PIDS+=($!)
      ;;
    *)
      echo "run:   $line"
      bash -c "$line" > "${WORK}/step-${n}.log" 2>&1 || { cat "${WORK}/step-${n}.log"; exit 1; }
      ;;
  esac
done < "${WORK}/run.txt"

alive() {
  for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "process ${pid} exited"; return 1; }
  done
}

# The web answers /healthz (as the TLS proxy would forward it).
for _ in $(seq 1 60); do
  curl -fsS -H "X-Forwarded-Proto: https" "http://127.0.0.1:${WEB_PORT}/healthz" > "${WORK}/health.json" 2>/dev/null && break
  alive; sleep 1
done
echo "healthz: $(cat "${WORK}/health.json")"
grep -q '"database": true' "${WORK}/health.json"

# A member whose meeting's 24-hour reminder falls due a minute from now.
python manage.py shell -c "
import datetime as dt
from django.utils import timezone
from groups.models import Group, Membership
from mastermind.accounts.models import User
from meetings.models import Meeting
now = timezone.now()
group = Group.objects.create(name='Smoke')
user = User.objects.create(email='member@smoke.example.org', display_name='Smoke Member', password='!')
Membership.objects.create(group=group, user=user, joined_at=now - dt.timedelta(days=1))
start = now + dt.timedelta(hours=24, minutes=1)
Meeting.objects.create(group=group, starts_at=start, ends_at=start + dt.timedelta(hours=2))
"
created=$(date +%s)

# Beat's minute sweep claims it, the worker sends it: wait at most 4 minutes.
for _ in $(seq 1 240); do
  grep -q 'member@smoke.example.org' "${WORK}/sink.jsonl" && break
  alive; sleep 1
done
if ! grep -q 'member@smoke.example.org' "${WORK}/sink.jsonl"; then
  echo "FAIL: no reminder arrived at the SMTP sink"; exit 1
fi
alive
test -f var/celerybeat-schedule.dat -o -f var/celerybeat-schedule || { echo "no beat schedule file"; exit 1; }
echo "reminder arrived $(( $(date +%s) - created )) s after the meeting was created: $(grep member@smoke "${WORK}/sink.jsonl")"
grep 'member@smoke' "${WORK}/sink.jsonl" | grep -q '"message_id": "<outbox\.' || { echo "no outbox Message-ID"; exit 1; }
echo "PASS: web, worker and beat started with the README's commands; the reminder arrived"
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)" || true
