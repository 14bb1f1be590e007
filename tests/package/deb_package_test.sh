#!/usr/bin/env bash
# Builds the Debian package from a finished build folder, checks what it declares and holds,
# unpacks it into a temporary root and runs graft-cli from there.
#   deb_package_test.sh CPACK BUILD_DIR VERSION
set -euo pipefail
cpack="$1"
build="$2"
version="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

if ! "$cpack" --config "$build/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log" >&2
    fail "cpack could not build the package"
fi
deb="$work/graft_${version}_amd64.deb"
[ -f "$deb" ] || fail "cpack did not write $(basename "$deb"); it wrote: $(ls "$work")"

info="$(dpkg-deb --info "$deb")"
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = graft ] || fail "Package is '$(field Package)'"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', not $version"
[ "$(field Architecture)" = amd64 ] || fail "Architecture is '$(field Architecture)'"
depends="$(field Depends)"
# The libraries the binaries link, found by dpkg-shlibdeps, and OpenBLAS, which they only load.
for package in libtorch libopencv-core libopencv-dnn libsqlite3 libqt6widgets6 libopenblas0-pthread; do
    grep -q "\b$package" <<<"$depends" || fail "Depends lacks $package: $depends"
done
grep -q "\blibjpeg62-turbo" <<<"$depends" || fail "Depends lacks libjpeg62-turbo, which reads JPEG headers: $depends"
[ "$(field Recommends)" = "opencv-doc, adwaita-icon-theme" ] ||
    fail "Recommends is '$(field Recommends)', not opencv-doc (the demo's digits) and adwaita-icon-theme (icons)"

contents="$(dpkg-deb --contents "$deb" | awk '{print $NF}')"
for path in ./usr/bin/graft ./usr/bin/graft-cli \
            ./usr/share/applications/org.graft.Graft.desktop \
            ./usr/share/metainfo/org.graft.Graft.metainfo.xml \
            ./usr/share/icons/hicolor/scalable/apps/org.graft.Graft.svg \
            ./usr/share/mime/packages/org.graft.Graft.xml; do
    grep -qx -- "$path" <<<"$contents" || fail "the package does not contain $path"
done

root="$work/root"
dpkg-deb -x "$deb" "$root"
reported="$("$root/usr/bin/graft-cli" --version)"
[ "$reported" = "graft-cli $version" ] || fail "the installed graft-cli reports '$reported'"
help="$("$root/usr/bin/graft-cli" --help)"
grep -q "^Export" <<<"$help" || fail "the installed graft-cli --help lacks its Export section"
grep -q "<release version=\"$version\"" "$root/usr/share/metainfo/org.graft.Graft.metainfo.xml" ||
    fail "the AppStream metainfo does not list release $version"
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net "$root/usr/share/metainfo/org.graft.Graft.metainfo.xml" >/dev/null ||
        fail "appstreamcli rejects the metainfo"
fi
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$root/usr/share/applications/org.graft.Graft.desktop" || fail "desktop-file-validate rejects the entry"
fi
echo "$(basename "$deb"): $(du -h "$deb" | cut -f1), Depends: $depends"
