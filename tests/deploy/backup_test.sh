#!/usr/bin/env bash
# The backup and restore procedure of docs/operations.md, run for real: a gateway accepts
# messages; while it runs, `sqlite3 .backup` and `VACUUM INTO` copy the store; more messages
# arrive after the copy; the gateway stops on SIGTERM with exit 0; each copy passes
# `PRAGMA integrity_check` and `sixlink-gateway audit verify`; a gateway started on the
# restored copy knows every message acknowledged before the backup, none after it, answers
# a resend as a duplicate, and holds the recipient's inbox.
# Usage: backup_test.sh SOURCE_DIR GATEWAY_BINARY
set -euo pipefail
src="$1" gateway="$2"
fail() { echo "FAIL: $*" >&2; [ -n "${log:-}" ] && [ -f "$log" ] && tail -20 "$log" >&2; exit 1; }
for tool in sqlite3 curl openssl; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done

work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
pki="$work/pki"
"$src/certs/make-dev-pki" "$pki" taicang baoshan jiading kunshan >/dev/null
cp "$src/policies/six-link.yaml" "$work/six-link.yaml"

# A configuration like deploy/taicang/gateway.yaml, on loopback with free ports, all pull.
write_config() {  # FILE DATA_DIR
  {
    cat <<YAML
gateway:
  id: taicang
  listen: 127.0.0.1:0
  admin_listen: 127.0.0.1:0
  threads: 2
  data_dir: $2
  durability: full
  tls: { cert: $pki/gateway.pem, key: $pki/gateway.key, ca: $pki/ca.pem, crl: $pki/crl.pem }
store: { engine: sqlite }
policies: $work/six-link.yaml
members:
YAML
    for m in taicang:320585 baoshan:310113 jiading:310114 kunshan:320583; do
      printf '  - { id: %s, name: %s, region_code: "%s", identity: %s.sixlink.local, adapter: sixlink, delivery: { mode: pull } }\n' \
        "${m%%:*}" "${m%%:*}" "${m##*:}" "${m%%:*}"
    done
  } >"$1"
}

start() {  # CONFIG LOG: starts the gateway, sets pid, base and admin
  log="$2"
  "$gateway" serve --config "$1" 2>"$log" &
  pid=$!
  local line="" i
  for i in $(seq 1 300); do
    line="$(grep '"event":"started"' "$log" || true)"
    [ -n "$line" ] && break
    kill -0 "$pid" 2>/dev/null || fail "the gateway exited at start"
    sleep 0.1
  done
  [ -n "$line" ] || fail "the gateway did not start within 30 s"
  base="https://127.0.0.1:$(sed 's/.*"partner_port":"\([0-9]*\)".*/\1/' <<<"$line")"
  admin="http://127.0.0.1:$(sed 's/.*"admin_port":"\([0-9]*\)".*/\1/' <<<"$line")"
}

stop() {
  kill -TERM "$pid"
  local rc=0
  wait "$pid" || rc=$?
  pid=""
  [ "$rc" -eq 0 ] || fail "SIGTERM: the gateway exited $rc, want 0"
  grep -q '"event":"stopped"' "$log" || fail "no 'stopped' log line after SIGTERM"
}

call() {  # MEMBER METHOD PATH [BODY]: prints the HTTP status
  local args=(-s -o "$work/answer" -w '%{http_code}' --max-time 10 --cacert "$pki/ca.pem"
              --cert "$pki/$1.pem" --key "$pki/$1.key" -X "$2")
  [ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
  curl "${args[@]}" "$base$3" || echo 000
}

bulletin() {  # ID
  printf '{"id":"%s","source":"taicang","link":"info_sharing","kind":"bulletin","created_at":"2026-11-26T09:30:00+08:00","recipients":["kunshan"],"classification":"internal","region_codes":["320585"],"body":{"title":"backup test %s"}}' "$1" "$1"
}

# ---- a running gateway with 20 messages, then the online copies, then 5 more
write_config "$work/live.yaml" "$work/live-data"
start "$work/live.yaml" "$work/live.log"
for i in $(seq 1 20); do
  [ "$(call taicang POST /v1/messages "$(bulletin "TC-BK-$i")")" = 202 ] || fail "message TC-BK-$i not accepted"
done
sqlite3 "$work/live-data/sixlink.db" ".backup '$work/backup.db'"
sqlite3 "$work/live-data/sixlink.db" "VACUUM INTO '$work/vacuum.db'"
for i in $(seq 1 5); do
  [ "$(call taicang POST /v1/messages "$(bulletin "TC-LATE-$i")")" = 202 ] || fail "message TC-LATE-$i not accepted"
done
stop

# ---- each copy is sound, and its audit chain verifies
for copy in backup vacuum; do
  [ "$(sqlite3 "$work/$copy.db" 'PRAGMA integrity_check')" = ok ] || fail "$copy.db fails integrity_check"
  mkdir -p "$work/$copy-data"
  cp "$work/$copy.db" "$work/$copy-data/sixlink.db"
  write_config "$work/$copy.yaml" "$work/$copy-data"
  out="$("$gateway" audit verify --config "$work/$copy.yaml")" || fail "audit verify of $copy.db: $out"
  grep -q '^audit chain ok: [1-9][0-9]* entries$' <<<"$out" || fail "audit verify of $copy.db said: $out"
  echo "$copy.db: $out"
done

# ---- a gateway on the restored copy
start "$work/backup.yaml" "$work/restored.log"
for i in 1 20; do
  [ "$(call taicang GET "/v1/messages/TC-BK-$i")" = 200 ] || fail "restored store lacks TC-BK-$i"
done
[ "$(call taicang GET /v1/messages/TC-LATE-1)" = 404 ] || fail "a message accepted after the backup is in it"
[ "$(call taicang POST /v1/messages "$(bulletin TC-BK-7)")" = 200 ] || fail "a resend is not answered as a duplicate"
[ "$(call kunshan GET '/v1/inbox?limit=1000')" = 200 ] || fail "kunshan's inbox is not readable"
n="$(grep -o '"id":"TC-BK-[0-9]*"' "$work/answer" | sort -u | wc -l)"
[ "$n" -eq 20 ] || fail "kunshan's inbox holds $n of the 20 backed-up messages"
grep -q 'TC-LATE' "$work/answer" && fail "kunshan's inbox holds a message from after the backup"
stop
echo "backup_test: ok"
