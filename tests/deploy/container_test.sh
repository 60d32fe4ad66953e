#!/usr/bin/env bash
# deploy/container/Containerfile, checked without a container engine (none runs here, and
# base images cannot be pulled): its stages, the non-root runtime user, ports, volume,
# health check and entry point; that nothing secret or downloaded enters the image; that
# the runtime stage installs the package of every shared library the built binary links
# (dpkg -S on this Debian 12 host); that the builder's packages come from
# scripts/install-deps; and that the sources the builder copies configure on their own
# with tests off. Usage: container_test.sh SOURCE_DIR GATEWAY_BINARY
set -euo pipefail
src="$1" gateway="$2"
file="$src/deploy/container/Containerfile"
fail() { echo "FAIL: $*" >&2; exit 1; }

# Instructions with continuation lines joined, comments dropped.
flat="$(sed -e '/^[[:space:]]*#/d' "$file" | sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta')"
stage_of() { awk -v n="$1" '/^FROM /{s++} s==n' <<<"$flat"; }

froms="$(grep -c '^FROM ' <<<"$flat")"
[ "$froms" -eq 2 ] || fail "expected 2 stages, found $froms"
grep -qx 'FROM debian:12 AS builder' <<<"$flat" || fail "no 'FROM debian:12 AS builder'"
grep -qx 'FROM debian:12-slim AS runtime' <<<"$flat" || fail "the last stage is not 'FROM debian:12-slim AS runtime'"
builder="$(stage_of 1)" runtime="$(stage_of 2)"
grep -q 'FROM debian:12-slim' <<<"$runtime" || fail "the runtime stage is not the last one"

grep -q -- '-G Ninja' <<<"$builder" || fail "builder does not use Ninja"
grep -q -- '-DSIXLINK_TESTS=OFF' <<<"$builder" || fail "builder does not turn the tests off"

user="$(grep '^USER ' <<<"$runtime" | tail -1 | awk '{print $2}')"
[ -n "$user" ] || fail "runtime stage sets no USER"
case "${user%%:*}" in root|0) fail "runtime runs as root ($user)" ;; esac
grep -qx 'EXPOSE 8443 9464' <<<"$runtime" || fail "runtime does not EXPOSE 8443 9464"
grep -q '^VOLUME .*/var/lib/sixlink' <<<"$runtime" || fail "no VOLUME /var/lib/sixlink"
grep -q '^HEALTHCHECK .*/healthz' <<<"$runtime" || fail "HEALTHCHECK does not ask /healthz"
grep -q '^ENTRYPOINT \["/usr/bin/sixlink-gateway"\]' <<<"$runtime" || fail "ENTRYPOINT is not the gateway"
grep -q '^CMD \["serve", "--config", "/etc/sixlink/gateway.yaml"\]' <<<"$runtime" || fail "CMD is not serve --config"

# Nothing secret or fetched enters any stage.
grep -Eq '^(COPY|ADD) .*(\.key|\.pem|certs/|out/)' <<<"$flat" && fail "a COPY/ADD brings key material or output in"
grep -Eq '^ADD ' <<<"$flat" && fail "use COPY, not ADD (no URLs, no archives)"
grep -Eq '(curl|wget) .*https?://' <<<"$flat" && fail "a stage downloads from the network"
grep -E '^COPY ' <<<"$runtime" | grep -v -- '--from=builder' >/dev/null && fail "runtime copies from the context, not the builder"

# .dockerignore keeps build trees, output and keys out of the context.
for pat in 'build\*/' 'out/' '\*\*/\*\.key' '\.git'; do
  grep -Eqx "$pat" "$src/.dockerignore" || fail ".dockerignore lacks $pat"
done

# Runtime packages cover the binary's shared libraries (not those of the base image).
runtime_pkgs="$(grep -o 'apt-get install [^&]*' <<<"$runtime" | tr ' ' '\n' | grep -v '^-' | grep -v '^$' || true)"
if command -v dpkg >/dev/null && command -v ldd >/dev/null; then
  while read -r lib; do
    # The base image's C/C++ runtime, and what only a sanitizer build links.
    case "$lib" in
      libc.so*|libm.so*|libgcc_s.so*|libstdc++.so*|*ld-linux*|linux-vdso*|libasan*|libubsan*) continue ;;
    esac
    path="$(ldd "$gateway" | awk -v l="$lib" '$1 == l {print $3}')"
    [ -n "$path" ] || fail "ldd finds no file for $lib"
    real="$(readlink -f "$path")"
    pkg="$(dpkg -S "$real" 2>/dev/null | head -1 | cut -d: -f1)" || true
    [ -n "$pkg" ] || pkg="$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1)" || true
    [ -n "$pkg" ] || fail "no package owns $lib ($path)"
    grep -qx "$pkg" <<<"$runtime_pkgs" || fail "runtime stage lacks $pkg (for $lib)"
  done < <(ldd "$gateway" | awk '{print $1}')
else
  echo "note: dpkg or ldd missing; runtime libraries not checked"
fi

# Builder packages are Debian 12 packages the project already installs.
builder_pkgs="$(grep -o 'apt-get install [^&]*' <<<"$builder" | tr ' ' '\n' | grep -v '^-' | grep -v '^$' \
  | grep -vx 'apt-get' | grep -vx 'install' || true)"
[ -n "$builder_pkgs" ] || fail "builder installs no packages"
for p in $builder_pkgs; do
  grep -qw -- "$p" "$src/scripts/install-deps" || fail "builder package $p is not in scripts/install-deps"
done

# The builder's COPY set configures with tests off (what `cmake -S .` sees in the image).
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
while read -r from to; do
  [ -e "$src/$from" ] || fail "builder copies $from, which does not exist"
  mkdir -p "$ctx/src/$(dirname "$to")"
  cp -r "$src/$from" "$ctx/src/$to"
done < <(grep '^COPY ' <<<"$builder" | grep -v -- '--from' | awk '{print $2, $3}')
if command -v cmake >/dev/null && command -v ninja >/dev/null; then
  cmake -S "$ctx/src" -B "$ctx/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIXLINK_TESTS=OFF \
    >"$ctx/cmake.log" 2>&1 || { cat "$ctx/cmake.log" >&2; fail "the builder's sources do not configure"; }
  targets="$(ninja -C "$ctx/build" -t targets all)"
  grep -q '^sixlink-gateway:' <<<"$targets" || fail "no sixlink-gateway target"
fi
echo "container_test: ok (structure only: the image was not built here)"
