#!/usr/bin/env bash
# System packages the tests need on Debian 12 (run as root). Idempotent: installs only what is missing.
#  softether-*      the real SSTP server the integration tests talk to (and SoftEther's own client, the benchmark anchor)
#  tinyproxy        HTTP CONNECT proxy for the proxy tests
#  nginx-light      fast static file server behind the tunnel for data-path tests and benchmarks
#  gnome-keyring dbus  a real Secret Service for the keychain tests (the keychain library is prebuilt: no -dev package)
#  openssl iproute2 procps   certificates, network namespaces, process control
#  iputils-ping curl         traffic through the tunnel in data-plane tests
#  chromium                  the browser the Playwright tests drive (never a downloaded one)
#  sudo util-linux           `sudo causeway …` as another user; `script` gives the password prompt test a real pty
#  pkexec polkitd            the packaged helper launcher, and polkitd to read the deb's policy in the packaging test
#  (dbus's dbus-daemon and libglib2.0-bin's gdbus, listed below, also run the sleep/resume tests: a private system bus with a fake logind)
#  nftables                  the happy-eyeballs tests drop (not refuse) one family's SYNs inside the server netns
#  freeradius                the real EAP server (PEAP, EAP-MSCHAPv2, EAP-TLS) the strict peer relays to over RADIUS, as RRAS does with NPS
#  hostapd                   its RADIUS/EAP server runs PEAP with cryptobinding as Windows NPS does (FreeRADIUS 3.2 has none); no radio used
#  tshark                    Wireshark's dissectors judge --capture (SSTP/PPP/ICMP, 0 malformed) and decrypt a dumpcap capture with --keylog
#  squid apache2-utils       proxy sign-in tests: squid's Digest (digest_file_auth) and Basic (basic_ncsa_auth; htpasswd writes its file), private instances only
#  libglib2.0-bin gsettings-desktop-schemas dconf-gsettings-backend dconf-cli   the app's GNOME system proxy: gsettings with the real schema and dconf in a test profile
#  dnsmasq-base              the DNS server behind the tunnel in the DNS tests (the binary only: no service, no resolv.conf hooks)
set -euo pipefail
PKGS=(softether-vpnserver softether-vpncmd softether-vpnclient tinyproxy nginx-light
      gnome-keyring dbus dbus-bin openssl iproute2 procps python3 make g++
      iputils-ping curl chromium fonts-dejavu-core sudo util-linux pkexec polkitd nftables
      freeradius tshark hostapd squid apache2-utils libglib2.0-bin gsettings-desktop-schemas dconf-gsettings-backend dconf-cli
      dnsmasq-base
      # radvd: a real IPv6 router on SoftEther's bridged LAN (test/integration/datapath/ipv6-softether.test.ts)
      radvd)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  # tshark's debconf question (may non-root users capture?): no, and without asking.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian enables these services on install; the tests start their own private instances instead.
for s in softether-vpnserver softether-vpnclient tinyproxy nginx freeradius hostapd squid radvd; do
  systemctl disable --now "$s" >/dev/null 2>&1 || service "$s" stop >/dev/null 2>&1 || true
done
# systemd-resolved and resolvconf (and systemd's shared library where systemd is absent) are only
# FETCHED, never installed: their postinst takes over /etc/resolv.conf and this machine would lose the
# resolver it needs for npm/apt. The DNS tests run them from a private `dpkg -x` copy (test/harness/debs.ts).
debs=/var/cache/causeway-test-debs
mkdir -p "$debs"
fetch=(systemd-resolved resolvconf)
[ -e /usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so ] || fetch+=(systemd)
for p in "${fetch[@]}"; do
  ls "$debs/${p}"_*.deb >/dev/null 2>&1 || (cd "$debs" && apt-get download -qq "$p" 2>/dev/null) || echo "warning: could not fetch $p (the DNS tests fetch it themselves)"
done
echo "system packages ready"
