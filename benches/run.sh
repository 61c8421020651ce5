#!/usr/bin/env bash
# The page and API benchmarks of docs/BENCHMARKS.md in one command:
#   1. builds the app and the reference page (release),
#   2. loads the benchmark database `claimtracker_bench` with `claimtracker bench-data`, or
#      reuses it when it already has articles (RELOAD=1 drops and reloads it),
#   3. starts `claimtracker serve` and the reference page (benches/reference.rs),
#   4. signs in through /login (CSRF token from the form) and creates an API token,
#   5. measures with wrk in interleaved pairs (page, reference, page, reference, …) and prints the
#      median ratio and its spread per page; and, in pairs too (app, pgbench, …), p50/p99 of the
#      JSON list and search and the median ratio of their p99 to pgbench's.
#
# The machine is shared and its speed drifts, so only ratios of runs taken side by side mean
# much; absolute figures are printed for context.
#
# Settings (environment): ARTICLES, CLAIMS_PER_ARTICLE, EVENTS_PER_CLAIM, SEED (data size, used
# when loading), PAIRS (5), DURATION (10 s), CONNECTIONS (16), THREADS (2), BENCH_SERVER
# (postgres://postgres@localhost:5432), APP_PORT (8088), REF_PORT (8090), OUT (target/bench-run),
# RELOAD (0), BENCH_DB (claimtracker_bench), BENCH_DB_PARAMS (?sslmode=disable); CARGO_TARGET_DIR
# (target) is where both binaries are built and looked for; APP_BIN (the app binary to run).
set -euo pipefail
cd "$(dirname "$0")/.."

ARTICLES=${ARTICLES:-500}
CLAIMS_PER_ARTICLE=${CLAIMS_PER_ARTICLE:-20}
EVENTS_PER_CLAIM=${EVENTS_PER_CLAIM:-5}
SEED=${SEED:-1}
PAIRS=${PAIRS:-5}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
BENCH_SERVER=${BENCH_SERVER:-postgres://postgres@localhost:5432}
APP_PORT=${APP_PORT:-8088}
REF_PORT=${REF_PORT:-8090}
OUT=${OUT:-target/bench-run}
RELOAD=${RELOAD:-0}
DB=${BENCH_DB:-claimtracker_bench}
# Loopback without TLS, as the app's own localhost default (src/db.rs); BENCH_DB_PARAMS= keeps
# libpq's default (TLS when the server offers it) for both the app and the reference.
export DATABASE_URL="$BENCH_SERVER/$DB${BENCH_DB_PARAMS-?sslmode=disable}"
RUNNER_EMAIL=bench-runner@bench.example
# A throwaway account on a throwaway database; the password only has to pass the app's rules.
RUNNER_PASSWORD='bench-runner-password-7d41c'

mkdir -p "$OUT"
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

if ! command -v wrk >/dev/null; then
    log "installing wrk from Debian"
    if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >/dev/null; else sudo apt-get install -y wrk >/dev/null; fi
fi

log "building (release)"
cargo build --release --bin claimtracker
# Cargo's own target dir when CARGO_TARGET_DIR points elsewhere (a worktree with its own);
# APP_BIN measures a saved build instead (an earlier commit's, side by side with this one).
CT=${APP_BIN:-${CARGO_TARGET_DIR:-target}/release/claimtracker}
# The reference's own artifact line (the build may list the app's binary too).
REF_BIN=$(cargo bench --no-run --bench reference --message-format=json 2>/dev/null \
    | grep '"name":"reference"' | grep -o '"executable":"[^"]*"' | tail -1 | cut -d'"' -f4)
[ -x "$REF_BIN" ] || { log "could not find the reference bench binary"; exit 1; }

# ---- data ----
psql_admin() { psql -X -q -v ON_ERROR_STOP=1 "$BENCH_SERVER/postgres" "$@"; }
psql_bench() { psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" "$@"; }
if [ "$RELOAD" = 1 ]; then
    psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
fi
if [ "$(psql_admin -tAc "SELECT count(*) FROM pg_database WHERE datname = '$DB'")" = 0 ]; then
    psql_admin -c "CREATE DATABASE $DB"
fi
$CT migrate >/dev/null
have=$(psql_bench -tAc "SELECT count(*) FROM articles")
if [ "$have" = 0 ]; then
    log "loading $ARTICLES articles × $CLAIMS_PER_ARTICLE claims × $EVENTS_PER_CLAIM events"
    /usr/bin/time -v "$CT" bench-data --articles "$ARTICLES" --claims-per-article "$CLAIMS_PER_ARTICLE" \
        --events-per-claim "$EVENTS_PER_CLAIM" --seed "$SEED" 2> "$OUT/load.log" | tee "$OUT/load.txt"
    grep -E "Elapsed|Maximum resident" "$OUT/load.log" | tee -a "$OUT/load.txt"
    # Fresh statistics: the planner sees the loaded tables, as it would after autovacuum.
    psql_bench -c "VACUUM ANALYZE"
else
    log "reusing $DB ($have articles; RELOAD=1 to reload)"
fi
log "verifying the audit chain"
$CT audit verify | tee "$OUT/verify.txt"
psql_bench -tA -F' ' -c "SELECT 'articles', count(*) FROM articles UNION ALL SELECT 'claims', count(*) FROM claims
    UNION ALL SELECT 'audit_events', count(*) FROM audit_events
    UNION ALL SELECT 'database_bytes', pg_database_size(current_database())" | tee "$OUT/sizes.txt"

# ---- accounts ----
if [ "$(psql_bench -tAc "SELECT count(*) FROM users WHERE email = '$RUNNER_EMAIL'")" = 0 ]; then
    echo "$RUNNER_PASSWORD" | $CT user add --email "$RUNNER_EMAIL" --name "Bench Runner" \
        --role editor --password-stdin >/dev/null
fi
TOKEN=$($CT token create --email "$RUNNER_EMAIL" --label "bench run $(date +%s%N)")

# ---- servers ----
APP_PID=""
REF_PID=""
cleanup() {
    [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null || true
    [ -n "$REF_PID" ] && kill "$REF_PID" 2>/dev/null || true
}
trap cleanup EXIT
RUST_LOG=${RUST_LOG:-warn} BIND=127.0.0.1:$APP_PORT $CT serve > "$OUT/app.log" 2>&1 &
APP_PID=$!
RUST_LOG=${RUST_LOG:-warn} REFERENCE_BIND=127.0.0.1:$REF_PORT "$REF_BIN" --bench > "$OUT/reference.log" 2>&1 &
REF_PID=$!
APP=http://127.0.0.1:$APP_PORT
REF=http://127.0.0.1:$REF_PORT/
up=0
for _ in $(seq 100); do
    if curl -sf "$APP/healthz" >/dev/null && curl -sf "$REF" >/dev/null; then up=1; break; fi
    sleep 0.2
done
[ "$up" = 1 ] || { log "the app or the reference did not start: see $OUT/app.log, $OUT/reference.log"; exit 1; }

# ---- sign in ----
JAR="$OUT/cookies.txt"
rm -f "$JAR"
CSRF=$(curl -sf -c "$JAR" -b "$JAR" "$APP/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | cut -d'"' -f4)
status=$(curl -s -o /dev/null -w '%{http_code}' -c "$JAR" -b "$JAR" -H "Origin: $APP" \
    --data-urlencode "email=$RUNNER_EMAIL" --data-urlencode "password=$RUNNER_PASSWORD" \
    --data-urlencode "csrf_token=$CSRF" "$APP/login")
[ "$status" = 303 ] || { log "login answered $status, not 303"; exit 1; }
# curl marks HttpOnly cookies with a #HttpOnly_ prefix; wrk wants a Cookie header.
COOKIE=$(sed 's/^#HttpOnly_//' "$JAR" | grep -v '^#' | awk -F'\t' 'NF >= 7 { printf "%s=%s; ", $6, $7 }')
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$APP/claims")" = 200 ] \
    || { log "the session cookie does not open /claims"; exit 1; }

CLAIM_ID=$(psql_bench -tAc "SELECT id FROM claims WHERE status = 'verified' ORDER BY id
    OFFSET (SELECT count(*) / 2 FROM claims WHERE status = 'verified') LIMIT 1")
SEARCH_WORD=budget

# ---- measuring ----
WRK_LOG="$OUT/wrk.log"
: > "$WRK_LOG"
# Requests/s of one wrk run; fails the script when any answer was not 2xx/3xx. wrk's default
# 2 s timeout would drop the slowest requests from the figures, hence --timeout.
rps() {
    local out
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 60s --latency "$@")
    printf '### %s\n%s\n' "$*" "$out" >> "$WRK_LOG"
    if grep -q "Non-2xx" <<<"$out"; then log "non-2xx answers from $*"; grep "Non-2xx" <<<"$out" >&2; exit 1; fi
    local r
    r=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
    [ -n "$r" ] || { log "wrk measured nothing for $*"; exit 1; }
    echo "$r"
}
# p50 and p99 of one wrk run, as wrk prints them.
latency() {
    local out
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 60s --latency "$@")
    printf '### %s\n%s\n' "$*" "$out" >> "$WRK_LOG"
    if grep -q "Non-2xx" <<<"$out"; then log "non-2xx answers from $*"; exit 1; fi
    # A timed-out request is left out of wrk's latencies: refuse to report them then.
    if grep -q "Socket errors" <<<"$out"; then log "socket errors from $*:"; grep "Socket errors" <<<"$out" >&2; exit 1; fi
    printf '%s %s %s\n' "$(awk '$1 == "50%" { print $2 }' <<<"$out")" \
        "$(awk '$1 == "99%" { print $2 }' <<<"$out")" "$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")"
}

RESULTS="$OUT/results.md"
{
    echo "| page | target | median ratio | spread (min–max) | page req/s (median) | reference req/s (median) |"
    echo "|---|---|---|---|---|---|"
} > "$RESULTS"
pair() {
    local name=$1 target=$2 url=$3
    local ratios="" pages="" refs=""
    for i in $(seq "$PAIRS"); do
        local a b
        a=$(rps -H "Cookie: $COOKIE" "$url")
        b=$(rps "$REF")
        log "$name pair $i: $a req/s vs reference $b req/s"
        pages="$pages $a"; refs="$refs $b"
        ratios="$ratios $(python3 -c "print($a / $b)")"
    done
    python3 - "$name" "$target" "$ratios" "$pages" "$refs" >> "$RESULTS" <<'PY'
import statistics, sys
name, target, ratios, pages, refs = sys.argv[1:]
r = [float(x) for x in ratios.split()]
p = [float(x) for x in pages.split()]
f = [float(x) for x in refs.split()]
print(f"| {name} | {target} | {statistics.median(r):.3f} | {min(r):.3f}–{max(r):.3f} | {statistics.median(p):.0f} | {statistics.median(f):.0f} |")
PY
}
log "pairs of ${DURATION}s at $CONNECTIONS connections, $PAIRS each"
pair "/claims" "≥ 0.5" "$APP/claims"
pair "/claims/$CLAIM_ID" "≥ 0.5" "$APP/claims/$CLAIM_ID"
pair "/ (dashboard)" "≥ 0.35" "$APP/"

# wrk prints 950.00us, 12.34ms, 1.02s: milliseconds.
to_ms() {
    python3 - "$1" <<'PY'
import sys
s = sys.argv[1]
for suffix, factor in (("us", 0.001), ("ms", 1), ("s", 1000), ("m", 60000)):
    if s.endswith(suffix):
        print(float(s[: -len(suffix)]) * factor)
        break
PY
}
# The same SQL through pgbench at the same load (benches/pgbench/*.sql; extended protocol, as
# diesel binds its parameters): p50/p99 from pgbench's per-transaction log.
pgbench_latency() {
    local script=$1 prefix="$OUT/pgbench_$1"
    rm -f "$prefix".*
    pgbench -n -M extended -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" -l --log-prefix="$prefix" \
        -f "benches/pgbench/$script.sql" "$DATABASE_URL" >> "$OUT/pgbench.log" 2>&1
    python3 - "$prefix" <<'PY'
import glob, sys
lat = sorted(int(line.split()[2]) for f in glob.glob(sys.argv[1] + ".*") for line in open(f))
pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] / 1000
print(f"{pick(0.50):.2f}ms {pick(0.99):.2f}ms")
PY
}
{
    echo
    echo "| JSON API | app p50 | app p99 | app req/s | same SQL in pgbench p50 | pgbench p99 | p99 app ÷ pgbench: median (min–max) |"
    echo "|---|---|---|---|---|---|---|"
} >> "$RESULTS"
# In pairs too (app, pgbench, app, pgbench, …): a p99 is one stall away from another value on a
# shared machine, so the ratio is the median of the pairs' ratios; the latencies are medians.
for pair_spec in "status=open status_open" "status=in_review status_in_review" "q=$SEARCH_WORD search"; do
    read -r q script <<<"$pair_spec"
    runs=""
    for i in $(seq "$PAIRS"); do
        read -r p50 p99 r < <(latency -H "Authorization: Bearer $TOKEN" "$APP/api/v1/claims?$q")
        read -r g50 g99 < <(pgbench_latency "$script")
        log "GET /api/v1/claims?$q pair $i: p50 $p50 p99 $p99 ($r req/s); pgbench p50 $g50 p99 $g99"
        runs="$runs $(to_ms "$p50"),$(to_ms "$p99"),$r,$(to_ms "$g50"),$(to_ms "$g99")"
    done
    python3 - "GET /api/v1/claims?$q" "$runs" >> "$RESULTS" <<'PY'
import statistics, sys
name, runs = sys.argv[1], [tuple(map(float, r.split(","))) for r in sys.argv[2].split()]
med = lambda k: statistics.median(r[k] for r in runs)
ratios = [r[1] / r[4] for r in runs]
print(f"| {name} | {med(0):.2f}ms | {med(1):.2f}ms | {med(2):.0f} | {med(3):.2f}ms | {med(4):.2f}ms "
      f"| {statistics.median(ratios):.1f} ({min(ratios):.1f}–{max(ratios):.1f}) |")
PY
done

{
    echo
    echo "Data: $(tr '\n' ' ' < "$OUT/sizes.txt"); claim page: /claims/$CLAIM_ID."
    echo "Machine: $(nproc) cores, $(free -g | awk '/^Mem/ { print $2 }') GiB; $(date -u +'%F %T UTC')."
} >> "$RESULTS"
cat "$RESULTS"
