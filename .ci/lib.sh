# Shared set-up for .ci/run, .ci/test and .ci/demo: a venv with the project
# installed from this repository's own files, and a Redis when none answers.
# Sourced, not run.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MINER_VENV:-$REPO/.venv}"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

ensure_venv() {
    # Reinstall only when pyproject.toml changed since the last install.
    local stamp="$VENV/.miner-installed" want
    want="$(sha256sum "$REPO/pyproject.toml" | cut -d' ' -f1)"
    if [ ! -x "$VENV/bin/python" ]; then
        echo "== creating venv at $VENV" >&2
        "$PY" -m venv "$VENV"
    fi
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "== installing miner and its dependencies (pyproject.toml)" >&2
        "$VENV/bin/python" -m pip install -q --upgrade pip >&2
        "$VENV/bin/python" -m pip install -q -e "$REPO[dev,postgres]" >&2
        echo "$want" > "$stamp"
    fi
}

redis_answers() {
    local url="${MINER_REDIS_URL:-redis://127.0.0.1:6379/0}"
    "$VENV/bin/python" - "$url" <<'PY' >/dev/null 2>&1
import sys, redis
redis.Redis.from_url(sys.argv[1], socket_connect_timeout=2).ping()
PY
}

ensure_redis() {
    if redis_answers; then
        return 0
    fi
    if ! command -v redis-server >/dev/null 2>&1; then
        echo "== installing redis-server (apt-get)" >&2
        apt_install redis-server
    fi
    echo "== starting redis-server on 127.0.0.1:6379" >&2
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no >&2
    for _ in $(seq 1 50); do
        redis_answers && return 0
        sleep 0.2
    done
    echo "redis-server did not answer on 127.0.0.1:6379" >&2
    return 1
}

apt_install() {
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
    else
        sudo apt-get update -qq >&2 && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
    fi
}

ensure_chromium() {
    # The dashboard's end-to-end test drives Debian's headless Chromium.
    if ! command -v chromium >/dev/null 2>&1; then
        echo "== installing chromium (apt-get)" >&2
        apt_install chromium
    fi
}

ensure_postgres() {
    # This machine kind starts PostgreSQL before a session; start it if it has stopped.
    if command -v pg_isready >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -q; then
        return 0
    fi
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
        echo "== starting PostgreSQL" >&2
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start >&2 || true
    fi
}
