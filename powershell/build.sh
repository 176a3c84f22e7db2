#!/usr/bin/env bash
# Assembles the HipaaIam module: dist/HipaaIam/ = the module's files + the native library
# for this platform (libhipaa_iam.so on Linux, libhipaa_iam.dylib on macOS, hipaa_iam.dll
# on Windows), taken from the cargo target directory.
#
# Usage: powershell/build.sh [--debug | --dist] [--no-build] [--out DIR]
#   --debug     use the debug build (default: release)
#   --dist      use the distribution build (the `dist` profile: release with link-time
#               optimisation, what the released module ships)
#   --no-build  do not run cargo; use the library already in the target directory
#   --out DIR   where to put HipaaIam/ (default: dist)
# Honours CARGO_TARGET_DIR.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROFILE=release
BUILD=1
OUT=$ROOT/dist
while [ $# -gt 0 ]; do
    case "$1" in
    --debug) PROFILE=debug ;;
    --dist) PROFILE=dist ;;
    --no-build) BUILD=0 ;;
    --out)
        shift
        OUT=${1:?--out needs a directory}
        ;;
    *)
        echo "build.sh: unknown argument: $1" >&2
        exit 2
        ;;
    esac
    shift
done

case "$(uname -s)" in
Linux*) LIB=libhipaa_iam.so ;;
Darwin*) LIB=libhipaa_iam.dylib ;;
MINGW* | MSYS* | CYGWIN*) LIB=hipaa_iam.dll ;;
*)
    echo "build.sh: unsupported platform $(uname -s)" >&2
    exit 2
    ;;
esac

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
if [ "$BUILD" -eq 1 ]; then
    args=(build -p hipaa-iam-ffi --lib)
    [ "$PROFILE" = debug ] || args+=(--profile "$PROFILE")
    (cd "$ROOT" && cargo "${args[@]}")
fi
SRC=$TARGET/$PROFILE/$LIB
# A test build (`cargo test`) may leave the cdylib only in deps/.
[ -f "$SRC" ] || [ ! -f "$TARGET/$PROFILE/deps/$LIB" ] || SRC=$TARGET/$PROFILE/deps/$LIB
[ -f "$SRC" ] || {
    echo "build.sh: $SRC not found (build it: cargo build -p hipaa-iam-ffi --lib, with --release for release, --profile dist for dist)" >&2
    exit 1
}

DEST=$OUT/HipaaIam
rm -rf "$DEST"
mkdir -p "$DEST"
cp "$ROOT"/powershell/HipaaIam/HipaaIam.psd1 "$ROOT"/powershell/HipaaIam/HipaaIam.psm1 \
    "$ROOT"/powershell/HipaaIam/HipaaIam.Native.cs "$DEST"/
cp "$SRC" "$DEST/$LIB"
echo "$DEST"
