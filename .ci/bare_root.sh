# Fresh machines for .ci/run (sourced, not run): bare Debian bookworm roots made by
# `debootstrap --variant=minbase` from this machine's configured apt mirror, so every package the
# project needs must come from scripts/setup. The bare root is made once per machine and cached as a
# tarball outside the checkout; each fresh machine is a new copy of it with /proc, a few /dev nodes,
# /dev/shm and the host's apt archive cache (packages download once per machine) mounted, and the
# checkout's HEAD copied in by `git archive` (no .git: the revision travels in /src/.git-revision).
# bare_root_cleanup (run from an EXIT trap) unmounts everything and removes the copies.

CI_CACHE=${AWS_CI_CACHE:-/var/cache/aws-ci}
APT_ARCHIVES=/var/cache/apt/archives
BARE_ROOTS=()   # every root made in this run, for bare_root_cleanup
ROOT=""         # the root bare_root_new made last

# The first archive URI of the host's apt sources (deb822 .sources, else a sources.list deb line).
apt_mirror() {
  local uri=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    uri=$(awk '$1 == "URIs:" { print $2; exit }' /etc/apt/sources.list.d/*.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || { echo "ci: no apt mirror in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list" >&2; return 1; }
  echo "$uri"
}

# Sets TARBALL to the cached bare root, making it first if this machine has none.
bare_root_tarball() {
  local mirror key tmp
  mirror=$(apt_mirror)
  key=$(printf '%s\n' "$mirror" | cat - /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | sha256sum | cut -c1-12)
  TARBALL=$CI_CACHE/bookworm-minbase-$key.tar
  [ -f "$TARBALL" ] && return 0
  command -v debootstrap >/dev/null || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  }
  mkdir -p "$CI_CACHE"
  tmp=$(mktemp -d "$CI_CACHE/make.XXXXXX")
  echo "ci: debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase --cache-dir="$APT_ARCHIVES" bookworm "$tmp/root" "$mirror" >"$tmp/log" 2>&1 ||
    { tail -20 "$tmp/log"; rm -rf --one-file-system "$tmp"; return 1; }
  # The host's apt sources (updates, security) replace debootstrap's one line.
  rm -f "$tmp/root/etc/apt/sources.list"
  cp /etc/apt/sources.list.d/*.sources "$tmp/root/etc/apt/sources.list.d/" 2>/dev/null || true
  [ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$tmp/root/etc/apt/"
  # Keep every downloaded .deb in the (bind-mounted) archive cache, whatever an image's apt.conf.d
  # says; download as root (the host's _apt user owns nothing in the bound cache).
  printf '%s\n' 'Binary::apt::APT::Keep-Downloaded-Packages "true";' 'APT::Keep-Downloaded-Packages "true";' \
    'APT::Sandbox::User "root";' >"$tmp/root/etc/apt/apt.conf.d/90aws-ci"
  rm -f "$tmp/root/etc/apt/apt.conf.d/docker-clean"
  tar --numeric-owner -C "$tmp/root" -cf "$tmp/root.tar" .
  mv "$tmp/root.tar" "$TARBALL"
  rm -rf --one-file-system "$tmp"
}

# A fresh machine: a new copy of the bare root with the mounts and the checkout; sets ROOT.
bare_root_new() {
  local name=$1 n
  ROOT=$(mktemp -d "/var/tmp/aws-ci-$name.XXXXXX")
  BARE_ROOTS+=("$ROOT")
  tar --numeric-owner -xpf "$TARBALL" -C "$ROOT"
  mount -t proc proc "$ROOT/proc"
  mount -t tmpfs -o mode=755,nosuid devtmp "$ROOT/dev"
  for n in null zero full random urandom tty; do
    touch "$ROOT/dev/$n"
    mount --bind "/dev/$n" "$ROOT/dev/$n"
  done
  ln -s /proc/self/fd "$ROOT/dev/fd"
  ln -s /proc/self/fd/0 "$ROOT/dev/stdin"
  ln -s /proc/self/fd/1 "$ROOT/dev/stdout"
  ln -s /proc/self/fd/2 "$ROOT/dev/stderr"
  mkdir "$ROOT/dev/pts"  # a private pty instance: apt and dpkg log through a pty
  if mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$ROOT/dev/pts" 2>/dev/null; then
    ln -s pts/ptmx "$ROOT/dev/ptmx"
  fi
  mkdir "$ROOT/dev/shm"
  mount -t tmpfs -o mode=1777,nosuid,nodev shm "$ROOT/dev/shm"
  mount --bind "$APT_ARCHIVES" "$ROOT/var/cache/apt/archives"
  cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
  mkdir "$ROOT/src"
  git archive HEAD | tar -x -C "$ROOT/src"
  git rev-parse --short=12 HEAD >"$ROOT/src/.git-revision"
}

# The host's CUDA toolkit at its usual place, read-only.
bare_root_mount_cuda() {
  mkdir -p "$ROOT/usr/local/cuda"
  mount --bind "$(readlink -f /usr/local/cuda)" "$ROOT/usr/local/cuda"
  mount -o remount,bind,ro "$ROOT/usr/local/cuda"
}

# Runs a command line as root in the fresh machine, in /src, with a clean environment.
bare_root_run() {
  local env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
             TERM=dumb CI=true)
  local v
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    [ -n "${!v:-}" ] && env+=("$v=${!v}")
  done
  chroot "$ROOT" /usr/bin/env -i "${env[@]}" bash -c "cd /src && $1"
}

# Unmounts (deepest first) and removes every root; a root with a mount left is kept, never deleted.
bare_root_cleanup() {
  local r m left
  for r in "${BARE_ROOTS[@]}"; do
    for m in $(awk -v r="$r" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
      umount "$m" 2>/dev/null || umount -l "$m" || true
    done
    left=$(awk -v r="$r" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo)
    if [ -n "$left" ]; then
      echo "ci: still mounted, $r kept: $left" >&2
    else
      rm -rf --one-file-system "$r"
    fi
  done
  BARE_ROOTS=()
}
