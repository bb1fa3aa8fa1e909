#!/usr/bin/env bash
# Fault injection over every command that writes: SIGKILL at spread-out moments, a full disk (a
# small tmpfs), a read-only store root and a closed stdout. After each fault `store verify` must
# pass, and a retry must reach the state the command was asked for.
#   scripts/faults.sh [--quick] [--bin PATH]
# --quick uses 4 kill moments instead of 10. The full-disk and read-only parts need to mount a tmpfs
# (root, or a container that allows it); without that they are SKIPPED, said loudly in the summary.
# Exit 0 when every check passed; the summary's figures are what docs/robustness.md reports.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${ISODRV_BIN:-$here/build/src/isodrv}"
delays=(0 0.002 0.005 0.01 0.02 0.03 0.05 0.08 0.12 0.2)
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) delays=(0.002 0.01 0.03 0.08) ;;
    --bin) bin="$2"; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "faults.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$bin" ] || "$here/scripts/build.sh" isodrv >/dev/null
[ -x "$bin" ] || { echo "faults.sh: no isodrv at $bin" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/isodrv-faults.XXXXXX")"
mnt="$work/mnt"
cleanup() {
  mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
  rm -rf "$work"
}
trap cleanup EXIT

runs=0 kills=0 finished=0 verify_fail=0 retry_fail=0 leftovers=0 failures=0
fail() { failures=$((failures + 1)); echo "FAIL: $*"; }

# ---- fixtures ------------------------------------------------------------------------------------
pkg="$work/pkg"
mkdir -p "$pkg"
cat >"$pkg/quokka.inf" <<'INF'
[Version]
Signature="$WINDOWS NT$"
Class=System
ClassGuid={4d36e97d-e325-11ce-bfc1-08002be10318}
Provider=%Mfg%
CatalogFile=quokka.cat
DriverVer=01/02/2024,1.2.3.4
PnpLockdown=1

[DestinationDirs]
DefaultDestDir=13

[SourceDisksNames]
1=%Disk%

[SourceDisksFiles]
quokka.sys=1

[Manufacturer]
%Mfg%=Models,NTamd64

[Models.NTamd64]
%Dev%=Quokka_Device, ROOT\QUOKKA

[Quokka_Device.NT]
CopyFiles=Quokka_Files

[Quokka_Device.NT.HW]
AddReg=Quokka_HW

[Quokka_HW]
HKR,,Mode,0x00010001,3

[Quokka_Files]
quokka.sys

[Quokka_Device.NT.Services]
AddService=quokka,0x00000002,Quokka_Service

[Quokka_Service]
ServiceType=1
StartType=3
ErrorControl=1
ServiceBinary=%13%\quokka.sys

[Strings]
Mfg="Quokka Works"
Disk="Quokka Disk"
Dev="Quokka Device"
INF
head -c 300000 /dev/urandom >"$pkg/quokka.sys"
echo catalog >"$pkg/quokka.cat"
regfile="$work/import.reg"
{
  printf 'Windows Registry Editor Version 5.00\r\n\r\n'
  for i in $(seq 1 200); do printf '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Faults\\K%d]\r\n"v"="value %d"\r\n\r\n' "$i" "$i"; done
} >"$regfile"

iso() { "$bin" --root "$root" "$@"; }
dev=ROOT\\QUOKKA\\0000

# Each case: name | setup commands (';'-separated isodrv argument lists) | the command | a check of the
# final state after a successful retry (shell, with iso available).
setup_for() {
  case "$1" in
    driver-add|device-add) ;;
    driver-add-install) iso device add "$dev" --hwid ROOT\\QUOKKA ;;
    driver-delete) iso driver add "$pkg/quokka.inf" ;;
    driver-delete-uninstall|device-uninstall|device-remove)
      iso device add "$dev" --hwid ROOT\\QUOKKA && iso driver add "$pkg/quokka.inf" --install ;;
    device-install) iso device add "$dev" --hwid ROOT\\QUOKKA && iso driver add "$pkg/quokka.inf" ;;
    reg-add|reg-import) ;;
    reg-delete) iso reg import "$regfile" ;;
    state-dir) iso device add "$dev" --hwid ROOT\\QUOKKA && iso driver add "$pkg/quokka.inf" --install ;;
    stamp) cp "$pkg/quokka.inf" "$work/stamp.inf" ;;
  esac
}
command_for() {
  case "$1" in
    driver-add) echo "driver add $pkg/quokka.inf" ;;
    driver-add-install) echo "driver add $pkg/quokka.inf --install" ;;
    driver-delete) echo "driver delete oem0.inf" ;;
    driver-delete-uninstall) echo "driver delete oem0.inf --uninstall" ;;
    device-add) echo "device add $dev --hwid ROOT\\QUOKKA" ;;
    device-install) echo "device install $dev" ;;
    device-uninstall) echo "device uninstall $dev" ;;
    device-remove) echo "device remove $dev" ;;
    reg-add) echo "reg add HKLM\\SOFTWARE\\Faults\\Deep\\Er /v x /d y /f" ;;
    reg-import) echo "reg import $regfile" ;;
    reg-delete) echo "reg delete HKLM\\SOFTWARE\\Faults /f" ;;
    state-dir) echo "state driver-dir quokka --type data --create" ;;
    stamp) echo "stamp -f $work/stamp.inf -d 03/04/2025 -v 9.8.7.6" ;;
  esac
}
# Exit codes a retry may give: 1 is "already done" for adds of something that exists and "not
# found" for deletes of something already gone.
retry_ok() {
  case "$1:$2" in
    *:0) return 0 ;;
    device-add:1|driver-delete:1|driver-delete-uninstall:1|device-uninstall:1|device-remove:1|reg-delete:1) return 0 ;;
    *) return 1 ;;
  esac
}
final_state() {
  case "$1" in
    driver-add) iso driver list | grep -q oem0.inf ;;
    driver-add-install|device-install) iso device show "$dev" --json | grep -q '"published_name": "oem0.inf"' ;;
    driver-delete|driver-delete-uninstall) ! iso driver list | grep -q oem0.inf ;;
    device-add) iso device show "$dev" >/dev/null ;;
    device-uninstall) ! iso device show "$dev" --json | grep -q '"published_name": "oem0.inf"' ;;
    device-remove) ! iso device show "$dev" >/dev/null 2>&1 ;;
    reg-add) iso reg query 'HKLM\SOFTWARE\Faults\Deep\Er' /v x >/dev/null ;;
    reg-import) iso reg query 'HKLM\SOFTWARE\Faults\K200' /v v >/dev/null ;;
    reg-delete) ! iso reg query 'HKLM\SOFTWARE\Faults' >/dev/null 2>&1 ;;
    state-dir) [ -d "$root/Windows/System32/drivers/DriverData/quokka" ] || find "$root" -ipath '*quokka*' -type d | grep -q . ;;
    stamp) grep -q 'DriverVer=03/04/2025,9.8.7.6' "$work/stamp.inf" ;;
  esac
}
cases=(driver-add driver-add-install driver-delete driver-delete-uninstall device-add device-install device-uninstall
       device-remove reg-add reg-import reg-delete state-dir stamp)

# `store verify` passes, or there is no store at all: a command killed before it created one (or one
# that never makes one, such as stamp) leaves "no driver store" (exit 3), which is consistent only
# when nothing but the root lock (taken before anything is created) and SQLite's rollback journal of
# the database that was being created (a kill before SQLite wrote its first page) is left; the next
# writing command creates the database over both, as the retry below checks.
store_consistent() {
  iso store verify >"$work/verify.out" 2>&1 && return 0
  [ $? = 3 ] && grep -q "no driver store at" "$work/verify.out" || return 1
  local left
  left="$(find "$root" -type f ! -name .lock ! -name registry.db-journal 2>/dev/null | head -5)"
  [ -z "$left" ] && return 0
  echo " (files left: $left)" >>"$work/verify.out"
  return 1
}

verify_and_retry() {  # $1 case, $2 what happened
  local c="$1" what="$2" rc
  if ! store_consistent; then
    verify_fail=$((verify_fail + 1)); fail "$c ($what): store verify: $(head -c 300 "$work/verify.out")"
  fi
  if [ "$c" = stamp ]; then
    # The file is the old one or the stamped one, never a mix; a killed run may leave its temporary file.
    iso inf dump "$work/stamp.inf" >/dev/null 2>&1 || fail "$c ($what): the INF no longer parses"
    if ls -a "$work" | grep -q '^\.stamp\.inf\.isodrv-'; then leftovers=$((leftovers + 1)); rm -f "$work"/.stamp.inf.isodrv-*; fi
  fi
  # shellcheck disable=SC2046
  iso $(command_for "$c") >/dev/null 2>"$work/retry.err"; rc=$?
  if ! retry_ok "$c" "$rc"; then
    retry_fail=$((retry_fail + 1)); fail "$c ($what): retry exited $rc: $(head -c 300 "$work/retry.err")"
  elif ! final_state "$c" >/dev/null 2>&1; then
    retry_fail=$((retry_fail + 1)); fail "$c ($what): retry did not reach the asked-for state"
  fi
  store_consistent || { verify_fail=$((verify_fail + 1)); fail "$c ($what): store verify after the retry: $(head -c 300 "$work/verify.out")"; }
}

# ---- 1. SIGKILL at spread-out moments --------------------------------------------------------------
start=$(date +%s)
for c in "${cases[@]}"; do
  for d in "${delays[@]}"; do
    root="$work/root-kill"
    rm -rf "$root"
    setup_for "$c" >/dev/null 2>&1 || { fail "$c: setup failed"; continue; }
    runs=$((runs + 1))
    # shellcheck disable=SC2046
    iso $(command_for "$c") >/dev/null 2>&1 &
    pid=$!
    sleep "$d"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null; rc=$?
    if [ "$rc" = 137 ]; then kills=$((kills + 1)); else finished=$((finished + 1)); fi
    verify_and_retry "$c" "SIGKILL after ${d}s"
  done
done
kill_seconds=$(( $(date +%s) - start ))

# ---- 2. Closed stdout ------------------------------------------------------------------------------
closed_ok=0
for c in "${cases[@]}"; do
  root="$work/root-closed"
  rm -rf "$root"
  setup_for "$c" >/dev/null 2>&1 || { fail "$c: setup failed"; continue; }
  runs=$((runs + 1))
  # shellcheck disable=SC2046
  iso $(command_for "$c") >&- 2>"$work/closed.err"; rc=$?
  # A command that prints nothing on success (stamp) may exit 0; one that prints must say it could not.
  if [ "$rc" = 0 ] || { [ "$rc" = 2 ] && grep -q 'error writing standard output' "$work/closed.err"; }; then
    closed_ok=$((closed_ok + 1))
  else
    fail "$c with stdout closed: exit $rc: $(head -c 300 "$work/closed.err")"
  fi
  verify_and_retry "$c" "closed stdout"
done

# ---- 3. Full disk and 4. read-only root (a small tmpfs) ---------------------------------------------
disk_note="SKIPPED (cannot mount a tmpfs here)"
ro_note="SKIPPED (cannot mount a tmpfs here)"
mkdir -p "$mnt"
if mount -t tmpfs -o size=2m tmpfs "$mnt" 2>/dev/null; then
  disk_runs=0 disk_clear=0
  for c in driver-add driver-add-install device-add reg-import reg-add device-install; do
    root="$mnt/root"
    rm -rf "$root" "$mnt/filler"
    setup_for "$c" >/dev/null 2>&1 || { fail "$c: setup on tmpfs failed"; continue; }
    # Leave a few KiB: enough to open the store, not enough for the command.
    dd if=/dev/zero of="$mnt/filler" bs=1k count=4096 2>/dev/null
    rm -f "$mnt/filler"; avail=$(df --output=avail -k "$mnt" | tail -n 1)
    dd if=/dev/zero of="$mnt/filler" bs=1k count=$((avail > 24 ? avail - 24 : 0)) 2>/dev/null
    runs=$((runs + 1)); disk_runs=$((disk_runs + 1))
    # shellcheck disable=SC2046
    iso $(command_for "$c") >/dev/null 2>"$work/full.err"; rc=$?
    if [ "$rc" = 0 ]; then
      :  # it fitted in what was left
    elif grep -qi 'No space left on device\|disk is full' "$work/full.err"; then
      disk_clear=$((disk_clear + 1))
    else
      fail "$c on a full disk: exit $rc without the reason: $(head -c 300 "$work/full.err")"
    fi
    rm -f "$mnt/filler"
    verify_and_retry "$c" "full disk"
  done
  disk_note="$disk_runs runs, $disk_clear failed with the system's words, the rest fitted"

  ro_runs=0 ro_refused=0
  for c in "${cases[@]}"; do
    [ "$c" = stamp ] && continue
    root="$mnt/root"
    rm -rf "$root"
    setup_for "$c" >/dev/null 2>&1 || { fail "$c: setup on tmpfs failed"; continue; }
    iso store verify >/dev/null 2>&1
    mount -o remount,ro "$mnt" || { fail "cannot remount read-only"; break; }
    runs=$((runs + 1)); ro_runs=$((ro_runs + 1))
    # shellcheck disable=SC2046
    iso $(command_for "$c") >/dev/null 2>"$work/ro.err"; rc=$?
    if [ "$rc" != 0 ] && [ -s "$work/ro.err" ]; then ro_refused=$((ro_refused + 1)); else fail "$c on a read-only root: exit $rc"; fi
    mount -o remount,rw "$mnt"
    verify_and_retry "$c" "read-only root"
  done
  ro_note="$ro_runs runs, $ro_refused refused with a message"
  umount "$mnt"
fi

echo "faults.sh summary"
echo "  SIGKILL: ${#cases[@]} commands x ${#delays[@]} moments: $kills killed mid-run, $finished finished first (${kill_seconds}s)"
echo "  closed stdout: $closed_ok of ${#cases[@]} commands exited 0 or 2 with a message"
echo "  full disk: $disk_note"
echo "  read-only root: $ro_note"
echo "  after every fault: store verify failures $verify_fail, retry failures $retry_fail, stamp temporary files left $leftovers"
echo "  runs $runs, failures $failures"
[ "$failures" = 0 ]
