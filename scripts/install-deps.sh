#!/usr/bin/env bash
# Installs every Debian 12 package this project needs to build, test and run, then the npm test
# peers. Idempotent: what is already present is skipped. Works as root or through sudo.
#   install-deps.sh              both
#   install-deps.sh --packages   the Debian packages only (what configuring and building need)
#   install-deps.sh --peers      the npm test peers only (what the tests need): `make test` runs
#                                this while it builds, so the download does not hold up the build
set -euo pipefail

want_packages=1
want_peers=1
case "${1:-}" in
  "") ;;
  --packages) want_peers=0 ;;
  --peers) want_packages=0 ;;
  *) echo "usage: $0 [--packages | --peers]" >&2; exit 2 ;;
esac

packages=(
  build-essential cmake ninja-build pkg-config git
  lld                         # linker: a quarter of GNU ld's CPU time on our executables
  libboost1.81-dev            # Asio with as_tuple and awaitable operators, Beast (1.74 lacks them)
  libssl-dev openssl
  libprotobuf-dev protobuf-compiler
  libpaho-mqttpp-dev libpaho-mqtt-dev
  doctest-dev nlohmann-json3-dev libcli11-dev libyaml-cpp-dev
  libsqlite3-dev              # the AWS IoT registry's state (src/registry)
  mosquitto mosquitto-clients # real peers for the interop tests
  curl                        # HTTPS publish interop tests (custom-auth headers, --aws-sigv4)
  python3 python3-boto3       # local authorizer handlers and the registry test
  python3-protobuf            # sample decoder Lambdas (config/decoders) and the validate tests
  python3-asn1crypto          # the JITR activation Lambda reads the certificate's CN (config/jitr)
  nodejs                      # node handler runner (npm, for the test peers below, comes with it or as Debian's npm)
  clang libclang-rt-14-dev    # libFuzzer targets and sanitizers (optional builds)
)

install_packages() {
  local missing=() p
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  # Debian's nodejs ships npm separately; NodeSource's nodejs includes it (and conflicts with it).
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages already installed"
    return
  fi
  local sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
      echo "install-deps: not root and no sudo; install these packages as root: ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# npm test peers (tests/peers/node/package.json, versions pinned by its package-lock.json): the
# AWS IoT Device SDK v2 for JavaScript whose own fleet-provisioning client the provisioning tests
# drive. Installed into tests/peers/node/node_modules (not committed). Never asks for sudo (it
# may run in the background): npm itself comes with the packages above.
install_peers() {
  local peers
  peers="$(cd "$(dirname "$0")/.." && pwd)/tests/peers/node"
  if [ -d "$peers/node_modules/aws-iot-device-sdk-v2" ]; then
    echo "install-deps: npm test peers already installed"
    return
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: npm is missing: run scripts/install-deps.sh --packages (it installs Debian's npm)" >&2
    exit 1
  fi
  echo "install-deps: installing npm test peers into $peers/node_modules"
  (cd "$peers" && npm ci --no-audit --no-fund --loglevel=error)
}

[ $want_packages -eq 1 ] && install_packages
[ $want_peers -eq 1 ] && install_peers
echo "install-deps: done"
