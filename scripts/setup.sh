#!/usr/bin/env bash
# Installs whatever the build and the tests need and is missing; does nothing for what is there.
# Safe to run again (CI runs it on every clean clone; `make demo` runs it with --no-browser).
#
#   scripts/setup.sh               # everything: Rust wasm target, wasm-bindgen CLI, npm packages,
#                                  # Debian chromium + chromium-driver (needs root)
#   scripts/setup.sh --no-browser  # skip Chromium (enough to build and serve the site)
#
# Needs beforehand: Rust stable via rustup (cargo on PATH or in ~/.cargo/env), Node.js 20 + npm.
# Everything comes from the package registries only (crates.io, npm, Debian).
set -euo pipefail

browser=1
for arg in "$@"; do
  case "$arg" in
    --no-browser) browser=0 ;;
    -h | --help)
      sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "setup.sh: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { echo "setup.sh: $*" >&2; }
die() {
  echo "setup.sh: ERROR: $*" >&2
  exit 1
}
step_start=0
step() {
  step_start=$SECONDS
  say "== $*"
}
step_done() { say "   ok ($((SECONDS - step_start)) s)"; }

if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust stable with rustup (https://rustup.rs)"
command -v rustup >/dev/null 2>&1 || die "rustup not found: the wasm32 target is added with rustup"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$CARGO_BIN:"*) ;; *) export PATH="$CARGO_BIN:$PATH" ;; esac

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    return 99
  fi
}

# --- Rust: wasm target, rustfmt and clippy ------------------------------------------------------
step "Rust toolchain ($(rustc --version))"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
missing_components=()
cargo fmt --version >/dev/null 2>&1 || missing_components+=(rustfmt)
cargo clippy --version >/dev/null 2>&1 || missing_components+=(clippy)
if [ "${#missing_components[@]}" -gt 0 ]; then
  say "adding components ${missing_components[*]}"
  rustup component add "${missing_components[@]}"
fi
step_done

# --- wasm-bindgen CLI: exactly the version of the wasm-bindgen crate in Cargo.lock ---------------
step "wasm-bindgen CLI"
[ -f Cargo.lock ] || cargo generate-lockfile
want="$(awk '
  $0 == "[[package]]" { name = "" }
  $1 == "name" && $3 == "\"wasm-bindgen\"" { name = "wasm-bindgen" }
  $1 == "version" && name == "wasm-bindgen" { gsub(/"/, "", $3); print $3; exit }
' Cargo.lock)"
[ -n "$want" ] || die "no wasm-bindgen package in Cargo.lock"
have=""
if command -v wasm-bindgen >/dev/null 2>&1 && command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
  have="$(wasm-bindgen --version | awk '{print $2}')"
fi
if [ "$have" = "$want" ]; then
  say "wasm-bindgen $have already installed"
else
  say "installing wasm-bindgen-cli $want (found: ${have:-none}); takes 4-7 min cold"
  # No --locked: the CLI's own lockfile pins a crate version the registry no longer serves.
  # flock keeps two setups (e.g. CI and a developer shell) from building it at the same time.
  mkdir -p "${CARGO_HOME:-$HOME/.cargo}"
  lock="${CARGO_HOME:-$HOME/.cargo}/.wasm-bindgen-cli-install.lock"
  install=(cargo install wasm-bindgen-cli --version "$want" --force)
  if command -v flock >/dev/null 2>&1; then
    flock "$lock" "${install[@]}"
  else
    "${install[@]}"
  fi
  got="$(wasm-bindgen --version | awk '{print $2}')"
  [ "$got" = "$want" ] || die "wasm-bindgen is $got after the install, expected $want (check PATH)"
fi
step_done

# --- npm packages (binaryen's wasm-opt, esbuild, playwright-core, uPlot) ------------------------
step "npm packages"
command -v node >/dev/null 2>&1 || die "node not found: install Node.js 20 (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || die "npm not found: install npm"
stamp=node_modules/.memberlens-setup.sha256
if [ ! -f package-lock.json ]; then
  say "package-lock.json is missing: running npm install to create it (commit it)"
  npm install --no-audit --no-fund
fi
sum="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] &&
  [ -f node_modules/binaryen/bin/wasm-opt ] && [ -x node_modules/.bin/esbuild ] && [ -d node_modules/playwright-core ] &&
  [ -d node_modules/uplot ]; then
  say "node_modules is up to date"
else
  npm ci --no-audit --no-fund
  echo "$sum" >"$stamp"
fi
node node_modules/binaryen/bin/wasm-opt --version >/dev/null || die "npm binaryen's wasm-opt does not run"
step_done

# --- Chromium + ChromeDriver (Debian) for the browser tests -------------------------------------
if [ "$browser" = 1 ]; then
  step "Chromium"
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    say "$(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed"
  else
    apt_install() {
      as_root apt-get update &&
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
    }
    set +e
    apt_install
    rc=$?
    set -e
    if [ "$rc" = 99 ]; then
      die "Chromium is missing and this is not root: run as root
    apt-get update && apt-get install -y chromium chromium-driver
(or use scripts/setup.sh --no-browser to build and serve the site without the browser tests)"
    fi
    [ "$rc" = 0 ] || die "apt-get install chromium chromium-driver failed (exit $rc)"
    if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
      die "/usr/bin/chromium or /usr/bin/chromedriver still missing after apt-get install"
    fi
  fi
  step_done
fi

say "all set"
