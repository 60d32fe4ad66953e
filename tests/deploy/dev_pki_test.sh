#!/usr/bin/env bash
# certs/make-dev-pki and certs/revoke-member (certs/README.md): every private key is
# written with mode 0600 even under a permissive umask, the folder is 0700, keys are ECDSA
# P-256, each member's certificate names its identity and chains to the CA, the CRL starts
# empty, a revoked member fails the CRL check while the others pass, and a reissued one
# passes again. Then that git ignores key material under certs/ and that no private key
# is tracked anywhere in the repository.
# Usage: dev_pki_test.sh SOURCE_DIR
set -eu  # no pipefail: "cmd | grep -q" may end cmd early with SIGPIPE
src="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pki="$work/pki"
members=(taicang baoshan jiading kunshan)

# A careless umask must not leak a key.
(umask 000 && "$src/certs/make-dev-pki" "$pki" >/dev/null)
[ "$(stat -c %a "$pki")" = 700 ] || fail "new PKI folder is $(stat -c %a "$pki"), want 700"

check_key_modes() {
  local n=0 k
  for k in "$pki"/*.key; do
    [ "$(stat -c %a "$k")" = 600 ] || fail "$(basename "$k") has mode $(stat -c %a "$k"), want 600"
    n=$((n + 1))
  done
  [ "$n" -eq $(( ${#members[@]} + 2 )) ] || fail "expected $(( ${#members[@]} + 2 )) keys, found $n"
}
check_key_modes

for k in "$pki"/*.key; do
  openssl pkey -in "$k" -noout -text 2>/dev/null | grep -q "ASN1 OID: prime256v1" \
    || fail "$(basename "$k") is not an ECDSA P-256 key"
done

verify() { openssl verify -crl_check -CRLfile "$pki/crl.pem" -CAfile "$pki/ca.pem" "$pki/$1.pem" 2>&1 || true; }
for m in gateway "${members[@]}"; do
  verify "$m" | grep -q ": OK$" || fail "$m.pem does not verify against ca.pem and crl.pem"
done
for m in "${members[@]}"; do
  openssl x509 -in "$pki/$m.pem" -noout -ext subjectAltName | grep -q "DNS:$m.sixlink.local" \
    || fail "$m.pem lacks SAN DNS:$m.sixlink.local"
  openssl x509 -in "$pki/$m.pem" -noout -ext extendedKeyUsage | grep -q "TLS Web Client Authentication" \
    || fail "$m.pem lacks EKU clientAuth"
done
openssl x509 -in "$pki/gateway.pem" -noout -ext extendedKeyUsage | grep -q "TLS Web Server Authentication" \
  || fail "gateway.pem lacks EKU serverAuth"
openssl crl -in "$pki/crl.pem" -noout -text | grep -q "No Revoked Certificates" || fail "new CRL is not empty"

# Running it again keeps everything.
ca_before="$(sha256sum "$pki/ca.pem" "$pki/kunshan.key")"
"$src/certs/make-dev-pki" "$pki" >/dev/null
[ "$(sha256sum "$pki/ca.pem" "$pki/kunshan.key")" = "$ca_before" ] || fail "a second run replaced the CA or a key"

# Revocation: baoshan fails the CRL check, kunshan still passes.
serial="$(openssl x509 -in "$pki/baoshan.pem" -noout -serial | sed 's/^serial=//')"
"$src/certs/revoke-member" "$pki" baoshan >/dev/null
verify baoshan | grep -q "certificate revoked" || fail "revoked baoshan.pem still verifies"
verify kunshan | grep -q ": OK$" || fail "kunshan.pem no longer verifies after revoking baoshan"
openssl crl -in "$pki/crl.pem" -noout -text | grep -qi "Serial Number: $serial" || fail "CRL lacks baoshan's serial $serial"

# Reissue: a new key (0600) and certificate that pass.
rm "$pki/baoshan.pem" "$pki/baoshan.key"
(umask 000 && "$src/certs/make-dev-pki" "$pki" baoshan >/dev/null)
check_key_modes
verify baoshan | grep -q ": OK$" || fail "reissued baoshan.pem does not verify"

# git: key material under certs/ is ignored, and no private key is tracked.
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  g() { git -c safe.directory='*' -C "$src" "$@"; }
  for p in certs/ca.key certs/baoshan.key certs/gateway.pem certs/crl.pem certs/out/dev/pki/ca.key \
           certs/dev/kunshan.key certs/pki/index.txt out/demo/pki/ca.key; do
    g check-ignore -q --no-index "$p" || fail "git would not ignore $p"
  done
  g check-ignore -q --no-index certs/README.md && fail "git ignores certs/README.md"
  tracked="$(g ls-files | grep -E '\.(key|p12|pfx|jks)$' || true)"
  [ -z "$tracked" ] || fail "key files are tracked: $tracked"
  tracked="$(g grep -lE -e '-----BEGIN ([A-Z]+ )?PRIVATE KEY-----' || true)"
  [ -z "$tracked" ] || fail "private keys are tracked in: $tracked"
else
  echo "note: $src is not a git work tree; ignore rules not checked"
fi
echo "dev_pki_test: ok"
