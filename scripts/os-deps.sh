#!/usr/bin/env bash
# The OS packages the book uses beside Python: gdb (the live boot trace in chapter 1), chromium (the site
# check), Debian's Go 1.19 (a real pre-1.21 toolchain for chapter 2's package-init history).
# As root, installs what is missing with apt-get; otherwise says what will be skipped without it.
set -u
declare -A why=(
  [gdb]="chapter 1's live gdb trace of the boot chain and its fidelity test"
  [chromium]="make check-site (opening the built book in a headless browser)"
  [golang-1.19-go]="chapter 2's runs under Go 1.19 (the pre-1.21 package-init order) and their fidelity test"
)
declare -A probe=(
  [gdb]="command -v gdb"
  [chromium]="command -v chromium"
  [golang-1.19-go]="test -x /usr/lib/go-1.19/bin/go"
)
missing=()
for pkg in "${!why[@]}"; do
  bash -c "${probe[$pkg]}" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing OS packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || echo "warning: apt-get could not install ${missing[*]}"
else
  for pkg in "${missing[@]}"; do
    echo "note: $pkg is not installed and this is not root: skipped without it: ${why[$pkg]} (apt-get install $pkg)"
  done
fi
exit 0
