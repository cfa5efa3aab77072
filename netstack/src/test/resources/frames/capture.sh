#!/usr/bin/env bash
# Regenerates linux-veth.hex and linux-veth-tx-offload.hex in this folder from real Linux traffic.
# Needs root, iproute2, ethtool, tshark, iputils ping, curl and python3. Everything happens in two network
# namespaces created here and deleted on exit, also on failure; the host's own namespace is never touched.
# Addresses are from 198.18.0.0/15 (RFC 2544 benchmarking space).
#
#   vtw-a: vtw0 198.18.7.1/24  <-- veth -->  vtw1 198.18.7.2/24 :vtw-b
#   vtw-b forwards 198.18.9.0/24 back to vtw-a, so a TTL-1 ping to 198.18.9.5 draws an ICMP time exceeded.
#
# Usage: capture.sh [OUTDIR]   (default: the folder of this script)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here}
A=vtw-a B=vtw-b
work=$(mktemp -d /tmp/vtw-capture-XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
py=$(command -v python3)

# capture MODE: MODE is offload (tx checksum offload left on) or nooffload (off on both ends).
capture() {
  local mode=$1 ns
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  ip netns add "$A"
  ip netns add "$B"
  ip link add vtw0 netns "$A" type veth peer name vtw1 netns "$B"
  for ns in "$A" "$B"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
  done
  ip -n "$A" link set vtw0 address 02:76:74:00:00:01
  ip -n "$B" link set vtw1 address 02:76:74:00:00:02
  ip -n "$A" addr add 198.18.7.1/24 dev vtw0
  ip -n "$B" addr add 198.18.7.2/24 dev vtw1
  ip -n "$A" link set vtw0 up
  ip -n "$B" link set vtw1 up
  ip -n "$A" route add 198.18.9.0/24 via 198.18.7.2
  ip -n "$B" route add 198.18.9.0/24 via 198.18.7.1
  ip netns exec "$B" sysctl -qw net.ipv4.ip_forward=1
  if [ "$mode" = nooffload ]; then
    ip netns exec "$A" ethtool -K vtw0 tx off >/dev/null
    ip netns exec "$B" ethtool -K vtw1 tx off >/dev/null
  fi

  # In vtw-b: an HTTP server on TCP 8080 and a one-shot UDP echo on 4242.
  ip netns exec "$B" "$py" -m http.server 8080 --bind 198.18.7.2 >/dev/null 2>&1 &
  pids+=($!)
  ip netns exec "$B" "$py" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("198.18.7.2", 4242))
data, peer = s.recvfrom(2048); s.sendto(data, peer)' &
  pids+=($!)
  sleep 1
  ip netns exec "$A" tshark -q -i vtw0 -F pcap -w "$work/$mode.pcap" >/dev/null 2>&1 &
  local cap=$!
  pids+=($cap)
  sleep 2
  ip netns exec "$A" ping -c1 -W1 -s 56 198.18.7.2 >/dev/null                 # ARP, echo request/reply
  ip netns exec "$A" ping -c1 -W1 -t1 198.18.9.5 >/dev/null || true           # time exceeded from vtw-b
  ip netns exec "$A" ping -c1 -W1 -s 1600 -M dont 198.18.7.2 >/dev/null       # fragmented echo
  ip netns exec "$A" "$py" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"virtaio udp\n", ("198.18.7.2", 4242)); s.settimeout(1); s.recvfrom(2048)
s.sendto(b"nobody listens\n", ("198.18.7.2", 5999))                          # port unreachable
'
  ip netns exec "$A" curl -s -o /dev/null --http1.0 http://198.18.7.2:8080/ || true
  sleep 1
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "$cap" 2>/dev/null || true
  pids=()
  ip netns del "$A"
  ip netns del "$B"
}

capture nooffload
capture offload

# pcap -> one hex line per frame, each after a comment from tshark's summary. TCP and UDP frames are tagged with
# what this independent (Python) checksum finds: valid, partial (only the pseudo-header sum) or bad.
"$py" - "$work" "$out" "$(uname -r)" <<'PY'
import struct, subprocess, sys
work, out, kernel = sys.argv[1:4]

def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return s

def l4_status(f):
    if f[12:14] != b'\x08\x00': return None
    ip = f[14:]; ihl = (ip[0] & 15) * 4; tot = struct.unpack('!H', ip[2:4])[0]
    if struct.unpack('!H', ip[6:8])[0] & 0x3fff: return None      # a fragment
    proto = ip[9]; l4 = ip[ihl:tot]
    if proto not in (6, 17): return None
    ln = len(l4) if proto == 6 else struct.unpack('!H', l4[4:6])[0]
    pseudo = ip[12:20] + bytes([0, proto]) + struct.pack('!H', ln)
    if csum(pseudo + l4[:ln]) == 0xffff: return 'valid'
    off = 16 if proto == 6 else 6
    return 'partial' if struct.unpack('!H', l4[off:off + 2])[0] == csum(pseudo) else 'bad'

def convert(pcap, name, title):
    raw = open(pcap, 'rb').read()
    assert struct.unpack('<I', raw[:4])[0] == 0xa1b2c3d4
    frames, pos = [], 24
    while pos < len(raw):
        _, _, incl, orig = struct.unpack('<IIII', raw[pos:pos + 16]); pos += 16
        assert incl == orig
        frames.append(raw[pos:pos + incl]); pos += incl
    cols = ['-e', '_ws.col.Protocol', '-e', '_ws.col.Source', '-e', '_ws.col.Destination', '-e', '_ws.col.Info']
    summ = subprocess.run(['tshark', '-r', pcap, '-T', 'fields', '-E', 'separator=|'] + cols,
                          capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(summ) == len(frames)
    with open(f'{out}/{name}', 'w') as o:
        o.write(title)
        for i, (f, line) in enumerate(zip(frames, summ), 1):
            proto, src, dst, info = line.split('|', 3)
            st = l4_status(f)
            tag = '' if st is None else f' [l4-checksum: {st}]'
            o.write(f'# {i}: {proto} {src} -> {dst}: {" ".join(info.split())}{tag}\n{f.hex()}\n')

common = ('# 198.18.7.1 = 02:76:74:00:00:01 (vtw-a), 198.18.7.2 = 02:76:74:00:00:02 (vtw-b, forwards 198.18.9.0/24).\n'
          '# One frame per line as hex, Ethernet header first, no FCS; the comment line before it says what it is.\n'
          '# Generated by capture.sh; do not edit by hand.\n')
convert(f'{work}/nooffload.pcap', 'linux-veth.hex',
        f'# Real Linux frames (kernel {kernel}), captured with tshark on veth vtw0 in a private network namespace\n'
        '# with tx checksum offload OFF on both ends: every checksum is complete.\n' + common)
convert(f'{work}/offload.pcap', 'linux-veth-tx-offload.hex',
        f'# The same exchange as linux-veth.hex (kernel {kernel}) with tx checksum offload left ON. Linux hands TCP and\n'
        '# UDP to the veth as CHECKSUM_PARTIAL and nothing completes the sum, so those frames carry only the folded\n'
        '# pseudo-header sum in the checksum field (tagged partial): what a virtio-net driver leaves for the device with\n'
        '# VIRTIO_NET_HDR_F_NEEDS_CSUM. IPv4 header and ICMP checksums are computed in software and are complete.\n' + common)
PY
echo "wrote $out/linux-veth.hex and $out/linux-veth-tx-offload.hex"
