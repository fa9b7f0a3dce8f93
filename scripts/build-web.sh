#!/usr/bin/env bash
# Builds everything the static site in www/ needs that is not committed:
#   www/pkg/                          the two wasm modules + their one JS glue (wasm-bindgen --target
#                                     web, wasm-opt -O3): memberlens_core_bg.wasm (the crate without
#                                     its feature `full`: what the first screen runs) and
#                                     memberlens_bg.wasm (all of it: fetched when a job needs it;
#                                     src/full.rs and www/js/wasm-module.js say which jobs)
#   www/data/ml-latest-small.bin      compact copy of MovieLens ml-latest-small (memberlens bundle)
#   www/data/LICENSE-movielens.txt    the data set's README.txt (its licence), shipped with it
#   www/data/titles.tsv               movieId<TAB>title from movies.csv, for the page's user cards
#   www/app/                          www/js/ and www/css/style.css minified (esbuild): what index.html
#                                     loads (an edit to www/js shows after make web or make web-test)
# Needs what scripts/setup.sh --no-browser installs. Run from anywhere; works in the repo root.
# MEMBERLENS_CLI: the CLI that makes the data files, if one is built already (`make test` passes the
# one its native layer built: the files are the same); without it, `cargo build --release`'s.
# MEMBERLENS_WASM: the wasm library (cargo's memberlens.wasm, before wasm-bindgen), if one is built
# already: `make test` passes the one its wasm layer built (cargo's `test` profile: no LTO), and the
# site is then made without the release build (~80 s) and without wasm-opt (~50 s). The numbers are
# the same (portable by design; the e2e tests compare the page with the CLI bit for bit); only size
# and speed differ, which scripts/bench-browser.mjs measures on the release build (make web).
# MEMBERLENS_WASM_CORE: the core library of that build, if one is built (cargo's
# `--no-default-features`); without it the site's core module is a copy of the full one (the page
# works the same, only the first load is larger).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi

say() { echo "build-web.sh: $*" >&2; }
die() {
  echo "build-web.sh: ERROR: $*" >&2
  exit 1
}
t0=$SECONDS
step_start=0
step() {
  step_start=$SECONDS
  say "== $*"
}
step_done() { say "   ok ($((SECONDS - step_start)) s)"; }

CRATE=memberlens
WASM_TARGET=wasm32-unknown-unknown

PKG=www/pkg
DATA=www/data
WASM_OPT="node_modules/binaryen/bin/wasm-opt"

command -v wasm-bindgen >/dev/null 2>&1 || die "wasm-bindgen not found: run scripts/setup.sh"
[ -f "$WASM_OPT" ] || die "$WASM_OPT not found (npm binaryen): run scripts/setup.sh"
if [ -n "${RUSTFLAGS:-}" ] && [[ "$RUSTFLAGS" != *simd128* ]]; then
  say "WARNING: RUSTFLAGS is set and replaces .cargo/config.toml's '-C target-feature=+simd128': the module will be ~2x slower"
fi

# Honour CARGO_TARGET_DIR / build.target-dir: ask cargo where its target directory is.
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')"
[ -d "$TARGET_DIR" ] || mkdir -p "$TARGET_DIR"

# 1. The wasm libraries (simd128 comes from .cargo/config.toml): the core one (Cargo.toml's
#    release-core profile, the release one in a directory of its own) and the full one.
if [ -n "${MEMBERLENS_WASM:-}" ]; then
  WASM="$MEMBERLENS_WASM"
  WASM_CORE="${MEMBERLENS_WASM_CORE:-$WASM}"
  WASM_PROFILE=test
  [ -f "$WASM" ] || die "MEMBERLENS_WASM=$WASM is not a file"
  [ -f "$WASM_CORE" ] || die "MEMBERLENS_WASM_CORE=$WASM_CORE is not a file"
  say "== the wasm libraries: $WASM, core $WASM_CORE (no release build, no wasm-opt)"
else
  step "cargo build --lib --profile release-core --target $WASM_TARGET --no-default-features (the core module)"
  cargo build --lib --profile release-core --target "$WASM_TARGET" --no-default-features
  WASM_CORE="$TARGET_DIR/$WASM_TARGET/release-core/$CRATE.wasm"
  step_done
  step "cargo build --lib --release --target $WASM_TARGET (the full module)"
  cargo build --lib --release --target "$WASM_TARGET"
  step_done
  WASM="$TARGET_DIR/$WASM_TARGET/release/$CRATE.wasm"
  WASM_PROFILE=release
fi

# 2. JS bindings. The CLI must match the wasm-bindgen crate exactly; it checks that itself. The
#    full module's glue drives both (js/wasm-module.js); the core one's is made only to be compared.
step "wasm-bindgen --target web --out-dir $PKG"
rm -rf "$PKG"
wasm-bindgen --target web --out-dir "$PKG" "$WASM"
core_dir="$(mktemp -d)"
trap 'rm -rf "$core_dir"' EXIT
wasm-bindgen --target web --out-dir "$core_dir" "$WASM_CORE"
mv "$core_dir/${CRATE}_bg.wasm" "$PKG/${CRATE}_core_bg.wasm"
# The one glue serves the core module only if every import the core one asks for is the full one's
# (the same names: wasm-bindgen names them by what they call, not by build).
node --input-type=module -e '
  import { readFileSync } from "node:fs";
  const imports = (f) => new Set(WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(f))).map((i) => `${i.module}.${i.name}`));
  const [core, full] = process.argv.slice(1).map(imports);
  const missing = [...core].filter((i) => !full.has(i));
  if (missing.length) throw new Error(`the core module imports what the full module does not: ${missing.join(", ")}`);
' "$PKG/${CRATE}_core_bg.wasm" "$PKG/${CRATE}_bg.wasm"
# A worker moves from the core instance to the full one (js/worker.js) by initialising the glue again.
cat >> "$PKG/$CRATE.js" <<'JS'

// Appended by scripts/build-web.sh: instantiate `module` (the full one) in place of the current
// instance (js/wasm-module.js). Objects of the old instance must be freed first.
export function reinitSync(module) {
    wasm = undefined;
    return initSync({ module });
}
JS
step_done

# 3. Optimise with npm binaryen's wasm-opt (Debian's binaryen 108 breaks the module).
#    The features are those rustc 1.95 enables by default for wasm32 plus simd128 (binaryen also
#    reads them from the module's target_features section); --no-inline must come before -O3
#    so the per-epoch kernels stay separate functions (one huge function stays in the slow tier).
if [ -z "${MEMBERLENS_WASM:-}" ]; then
  for m in "${CRATE}_core_bg" "${CRATE}_bg"; do
    step "wasm-opt -O3 $PKG/$m.wasm"
    before=$(stat -c %s "$PKG/$m.wasm")
    node "$WASM_OPT" \
      --enable-simd --enable-bulk-memory --enable-bulk-memory-opt \
      --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
      --enable-reference-types --enable-multivalue --enable-call-indirect-overlong \
      --no-inline='*hot_fn*' -O3 \
      "$PKG/$m.wasm" -o "$PKG/$m.opt.wasm"
    mv "$PKG/$m.opt.wasm" "$PKG/$m.wasm"
    say "   $before -> $(stat -c %s "$PKG/$m.wasm") bytes, $(gzip -9c "$PKG/$m.wasm" | wc -c) gzipped"
    step_done
  done
fi

# 4. The optimised modules must still load and answer (catches a wasm-opt that breaks start-up):
#    the core one through the glue, then the full one in its place, as a worker moves to it.
step "load check: initSync(core) + defaultConfig(), reinitSync(full) + defaultConfig() in Node"
# shellcheck disable=SC2016 # JavaScript, not shell
node --input-type=module -e '
  import { readFileSync } from "node:fs";
  import { pathToFileURL } from "node:url";
  const pkg = process.argv[1];
  const m = await import(pathToFileURL(`${pkg}/memberlens.js`).href);
  const check = (which) => {
    const cfg = m.defaultConfig();
    if (!cfg || typeof cfg !== "object" || typeof cfg.seed !== "number" || typeof cfg.k !== "number") {
      throw new Error(`${which}: defaultConfig() returned ` + JSON.stringify(cfg));
    }
    console.error(`build-web.sh:    ${which}: defaultConfig() has ${Object.keys(cfg).length} keys (k=${cfg.k}, epochs=${cfg.epochs})`);
  };
  m.initSync({ module: readFileSync(`${pkg}/memberlens_core_bg.wasm`) });
  check("core");
  m.reinitSync(new WebAssembly.Module(readFileSync(`${pkg}/memberlens_bg.wasm`)));
  check("full");
' "$ROOT/$PKG"
step_done

# 5. The data bundle, made by the native CLI from the checksum-verified ratings.csv.
if [ -n "${MEMBERLENS_CLI:-}" ]; then
  CLI="$MEMBERLENS_CLI"
  [ -x "$CLI" ] || die "MEMBERLENS_CLI=$CLI is not an executable"
  say "== the CLI: $CLI"
else
  step "cargo build --release --bin $CRATE"
  cargo build --release --bin "$CRATE"
  step_done
  CLI="$TARGET_DIR/release/$CRATE"
fi

step "data bundle"
dir="$(bash data/fetch.sh --print-dir | tail -n 1)"
[ -f "$dir/ratings.csv" ] || die "data/fetch.sh gave '$dir', which has no ratings.csv"
mkdir -p "$DATA"
"$CLI" bundle --ratings "$dir/ratings.csv" --out "$DATA/ml-latest-small.bin"
cp "$dir/README.txt" "$DATA/LICENSE-movielens.txt"
# Movie titles for the user cards (loaded by the page only when a card opens).
"$CLI" titles --movies "$dir/movies.csv" --out "$DATA/titles.tsv"
chmod 0644 "$DATA/LICENSE-movielens.txt" # the shared copy is read-only
say "   $DATA/ml-latest-small.bin: $(stat -c %s "$DATA/ml-latest-small.bin") bytes (ratings.csv: $(stat -c %s "$dir/ratings.csv"))"
step_done

# The audit's example input (docs/audit.md, the page's audit e2e test, make soak): generated data
# only, made here rather than committed (nothing in MovieLens's shape is kept in git).
step "audit example: docs/examples/audit (generated)"
rm -rf docs/examples/audit
MEMBERLENS="$CLI" bash scripts/audit-input.sh docs/examples/audit 100 200 2000 \
  '{"recommender":"item-knn","top_n":10}' >/dev/null
rm -f docs/examples/audit/run.json docs/examples/audit/users.json
step_done

# 6. The wasm module reads the bundle back: the counts of ml-latest-small (data/README.md).
step "bundle check: Dataset.fromBytes(bundle).summary() in Node"
# shellcheck disable=SC2016 # JavaScript, not shell
node --input-type=module -e '
  import { readFileSync } from "node:fs";
  import { pathToFileURL } from "node:url";
  const [pkg, bin] = process.argv.slice(1);
  const m = await import(pathToFileURL(`${pkg}/memberlens.js`).href);
  m.initSync({ module: readFileSync(`${pkg}/memberlens_bg.wasm`) });
  const ds = m.Dataset.fromBytes(readFileSync(bin), "ml-latest-small.bin");
  const s = ds.summary();
  ds.free();
  const want = { users: 610, items: 9724, interactions: 100836 };
  for (const [k, v] of Object.entries(want)) {
    if (s[k] !== v) throw new Error(`bundle summary ${k} = ${s[k]}, expected ${v}: ${JSON.stringify(s)}`);
  }
  console.error(`build-web.sh:    ${JSON.stringify(s)}`);
' "$ROOT/$PKG" "$ROOT/$DATA/ml-latest-small.bin"
step_done

# 7. The page's code as it ships: www/js/ (the source, committed) minified by esbuild into www/app/
#    (the same files, paths and imports; index.html loads app/main.js), the stylesheet into
#    app/style.css, and the wasm glue in place. One file per module still (no bundling): the modes and
#    charts stay loaded when first needed. Measured on the first load (docs/performance.md): the
#    comments and long names that make www/js readable are about 40 KB of its gzipped bytes.
step "minify: www/js -> www/app, css/style.css -> app/style.css, pkg/$CRATE.js (esbuild)"
ESBUILD=node_modules/.bin/esbuild
[ -x "$ESBUILD" ] || die "$ESBUILD not found (npm esbuild): run scripts/setup.sh"
rm -rf www/app
mapfile -t js < <(cd www && find js -name '*.js' | LC_ALL=C sort)
(cd www && "$ROOT/$ESBUILD" "${js[@]}" --outbase=js --outdir=app --minify --format=esm \
  --target=es2022 --sourcemap --sources-content=false --log-level=warning)
"$ESBUILD" www/css/style.css --minify --outfile=www/app/style.css --log-level=warning
"$ESBUILD" "$PKG/$CRATE.js" --minify --format=esm --target=es2022 --log-level=warning \
  --outfile="$PKG/$CRATE.min.js"
mv "$PKG/$CRATE.min.js" "$PKG/$CRATE.js"
[ "$(find www/app -name '*.js' | wc -l)" = "${#js[@]}" ] || die "www/app does not hold one file per www/js module"
say "   ${#js[@]} modules: $(cat "${js[@]/#/www/}" | gzip -9 | wc -c) -> $(cat www/app/*.js www/app/*/*.js | gzip -9 | wc -c) bytes gzipped (all together)"
step_done

# 8. The service worker's build (www/sw.js works offline after a first visit): every file the site
#    ships and a hash of them, so a new build gets a new cache and the old one is dropped.
step "service worker build list: www/sw-build.js"
(
  cd www
  # Not the sources the page does not load (js/ and css/: it loads app/) nor the source maps.
  files=$(find . -type f ! -name 'sw.js' ! -name 'sw-build.js' ! -name '*.d.ts' ! -name '*.map' \
    ! -path './js/*' ! -path './css/*' | sed 's|^\./||' | LC_ALL=C sort)
  hash=$(for f in $files; do printf '%s\n' "$f"; cat "$f"; done | sha256sum | cut -c1-12)
  {
    echo "// Written by scripts/build-web.sh: the files www/sw.js keeps for offline use, and their hash."
    echo "self.MEMBERLENS_BUILD = '$hash';"
    # Which wasm build the site holds: scripts/bench-browser.mjs measures only the release one.
    echo "self.MEMBERLENS_WASM_PROFILE = '$WASM_PROFILE';"
    printf 'self.MEMBERLENS_ASSETS = [\n  %s' "'./'"
    for f in $files; do printf ",\n  '%s'" "$f"; done
    printf '\n];\n'
  } > sw-build.js
  say "   build $hash, $(echo "$files" | wc -l) files"
)
step_done

say "site ready in www/ ($((SECONDS - t0)) s)"
