#!/usr/bin/env bash
# Makes MovieLens ml-latest-small (ratings.csv, movies.csv, README.txt) available to the build
# WITHOUT committing it, and prints the directory that holds it as the LAST line of stdout.
#
#   data/fetch.sh               # progress on stderr, the directory on stdout
#   data/fetch.sh --print-dir   # the same, quiet unless something goes wrong
#   data/fetch.sh --download    # ignore ../shared, use (or fill) the download cache
#
# Where the files come from, first match wins:
#   1. $MEMBERLENS_DATA_DIR, if set (a directory with the three files);
#   2. ../shared/data/ml-latest-small/ beside the repository (its SHA256SUMS is checked);
#   3. data/cache/ml-latest-small/ (git-ignored), downloaded from GroupLens when missing or
#      corrupt ($MEMBERLENS_DATA_URL overrides the address, e.g. for a mirror or a file:// URL).
# Every file used is checked against the SHA-256 sums below; any mismatch is fatal.
set -euo pipefail

URL="${MEMBERLENS_DATA_URL:-https://files.grouplens.org/datasets/movielens/ml-latest-small.zip}"
NAME="ml-latest-small"
# SHA-256 of the files of the official zip (see data/README.md).
declare -A SUMS=(
  [ratings.csv]=aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646
  [movies.csv]=5a5f32dd9bb3797b8e728a1b98958789d2b13f294a69fdfbc5727f8a9611aa07
  [README.txt]=63d22ac138e80fae37021797ed8e1b9424b5239dc576a137422adf783ae3f404
)
FILES=(ratings.csv movies.csv README.txt)

quiet=0
use_shared=1
for arg in "$@"; do
  case "$arg" in
    --print-dir) quiet=1 ;;
    --download) use_shared=0 ;;
    -h | --help)
      sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "fetch.sh: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/data/cache"

say() { [ "$quiet" = 1 ] || echo "fetch.sh: $*" >&2; }
die() {
  echo "fetch.sh: ERROR: $*" >&2
  exit 1
}

# verify DIR: every file present with the expected SHA-256. Returns 1 (and says why) otherwise.
verify() {
  local dir="$1" f actual ok=0
  for f in "${FILES[@]}"; do
    if [ ! -f "$dir/$f" ]; then
      echo "fetch.sh: $dir/$f is missing" >&2
      ok=1
      continue
    fi
    actual="$(sha256sum "$dir/$f" | cut -d' ' -f1)"
    if [ "$actual" != "${SUMS[$f]}" ]; then
      echo "fetch.sh: CHECKSUM MISMATCH for $dir/$f" >&2
      echo "fetch.sh:   expected ${SUMS[$f]}" >&2
      echo "fetch.sh:   actual   $actual" >&2
      ok=1
    fi
  done
  return "$ok"
}

# 1. Explicit directory.
if [ -n "${MEMBERLENS_DATA_DIR:-}" ]; then
  dir="$(cd "$MEMBERLENS_DATA_DIR" && pwd)" || die "MEMBERLENS_DATA_DIR=$MEMBERLENS_DATA_DIR is not a directory"
  verify "$dir" || die "MEMBERLENS_DATA_DIR=$dir does not hold the expected files"
  say "using $dir (MEMBERLENS_DATA_DIR, checksums OK)"
  echo "$dir"
  exit 0
fi

# 2. The shared copy beside the repository, used in place (it is read-only in CI).
shared="$ROOT/../shared/data/$NAME"
if [ "$use_shared" = 1 ] && [ -d "$shared" ]; then
  shared="$(cd "$shared" && pwd)"
  if [ -f "$shared/SHA256SUMS" ]; then
    (cd "$shared" && sha256sum -c --quiet --strict SHA256SUMS >&2) ||
      die "$shared/SHA256SUMS does not match the files there"
  fi
  verify "$shared" || die "$shared does not hold the expected files"
  say "using $shared (shared copy, checksums OK)"
  echo "$shared"
  exit 0
fi

# 3. The download cache.
dir="$CACHE/$NAME"
if [ -d "$dir" ] && verify "$dir" 2>/dev/null; then
  say "using $dir (cached download, checksums OK)"
  echo "$dir"
  exit 0
fi

mkdir -p "$CACHE"
tmp="$(mktemp -d "$CACHE/.fetch.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
zip="$tmp/$NAME.zip"

say "downloading $URL"
if command -v curl >/dev/null 2>&1; then
  opts=(-fL --retry 3 --connect-timeout 30 --max-time 600)
  [ "$quiet" = 1 ] && opts+=(--silent --show-error)
  curl "${opts[@]}" -o "$zip" "$URL" || die "download failed: $URL"
elif command -v wget >/dev/null 2>&1; then
  opts=(--tries=3 --timeout=30)
  [ "$quiet" = 1 ] && opts+=(-q)
  wget "${opts[@]}" -O "$zip" "$URL" || die "download failed: $URL"
else
  die "neither curl nor wget is installed: install one, or download $URL and unzip it into $CACHE/"
fi

say "extracting"
if command -v unzip >/dev/null 2>&1; then
  unzip -q "$zip" -d "$tmp/x" || die "cannot unzip $zip"
elif command -v python3 >/dev/null 2>&1; then
  python3 -m zipfile -e "$zip" "$tmp/x" || die "cannot unzip $zip"
elif command -v bsdtar >/dev/null 2>&1; then
  mkdir -p "$tmp/x"
  bsdtar -xf "$zip" -C "$tmp/x" || die "cannot unzip $zip"
else
  die "no unzip tool (unzip, python3 or bsdtar) is installed"
fi
[ -d "$tmp/x/$NAME" ] || die "the zip has no $NAME/ folder"

verify "$tmp/x/$NAME" || die "the downloaded files do not match the expected SHA-256 sums (see above); nothing was cached"

rm -rf "$dir"
mv "$tmp/x/$NAME" "$dir"
say "cached in $dir (checksums OK)"
echo "$dir"
