#!/usr/bin/env bash
# deploy/taicang/gateway.yaml passes `sixlink-gateway check-config` (configuration and
# policy). The file names absolute paths under /etc/sixlink and /var/lib/sixlink; the test
# copies it into a scratch root with those prefixes rewritten, puts a PKI made by
# certs/make-dev-pki where the paths point and the shipped policy beside it, so it runs
# unprivileged and never touches /etc. It also checks that a broken copy is refused with
# the line named, so the check cannot pass vacuously.
# Usage: taicang_config_test.sh SOURCE_DIR GATEWAY_BINARY
set -euo pipefail
src="$1" gateway="$2"
fail() { echo "FAIL: $*" >&2; exit 1; }

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
etc="$root/etc/sixlink" lib="$root/var/lib/sixlink"
mkdir -p "$etc/policies" "$etc/pki/partners" "$lib"

sed -e "s|/etc/sixlink/|$etc/|g" -e "s|/var/lib/sixlink|$lib|g" \
  "$src/deploy/taicang/gateway.yaml" >"$etc/gateway.yaml"
grep -Eq '(^|[ :])/(etc/sixlink|var/lib/sixlink)' "$etc/gateway.yaml" && fail "a path escaped the rewrite"
cp "$src/policies/six-link.yaml" "$etc/policies/six-link.yaml"
"$src/certs/make-dev-pki" "$etc/pki" taicang baoshan jiading kunshan >/dev/null
for m in taicang baoshan jiading; do cp "$etc/pki/ca.pem" "$etc/pki/partners/$m-ca.pem"; done

# Every absolute path the example names lies under the two prefixes the test rewrites.
while read -r path; do
  case "$path" in
    /etc/sixlink/*|/var/lib/sixlink|/var/lib/sixlink/*) ;;
    *) fail "deploy/taicang/gateway.yaml names $path, outside /etc/sixlink and /var/lib/sixlink" ;;
  esac
done < <(sed 's/#.*//' "$src/deploy/taicang/gateway.yaml" | grep -o ' /[^ ]*' | tr -d ' ')

out="$("$gateway" check-config "$etc/gateway.yaml" 2>&1)" || { echo "$out" >&2; fail "check-config refused the example"; }
echo "$out"
grep -q "gateway.yaml: ok" <<<"$out" || fail "no ok for the configuration"
grep -q "six-link.yaml: ok" <<<"$out" || fail "no ok for the policy"

# The four members of the federation, with the adapters and delivery modes the hub uses.
for want in "id: taicang" "id: baoshan" "id: jiading" "id: kunshan" \
            "adapter: sixlink" "adapter: baoshan-json" "adapter: jiading-cap" "adapter: kunshan-gb"; do
  grep -q "$want" "$etc/gateway.yaml" || fail "missing '$want'"
done

# A missing partner CA must be refused, naming the file and line.
rm "$etc/pki/partners/jiading-ca.pem"
if out="$("$gateway" check-config "$etc/gateway.yaml" 2>&1)"; then fail "check-config accepted a missing CA file"; fi
grep -q "gateway.yaml:[0-9]*: members\[2\].delivery.ca" <<<"$out" || { echo "$out" >&2; fail "error does not name members[2].delivery.ca"; }
echo "taicang_config_test: ok"
