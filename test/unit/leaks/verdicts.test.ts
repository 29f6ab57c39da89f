// The leak suite's judge: pcap frames decoded to probes, probes to verdicts, verdicts against what
// each state promises. Frames are built by hand here, so every rule is seen to fail as well as pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ARPHRD_ETHER, ARPHRD_TUN, readIpPackets } from '../../leaks/pcap.js';
import { dnsName, PORTS, TARGETS, udpPayload } from '../../leaks/probes.js';
import { classify, classifyAll, formatTable, judge, type Row, type Verdict } from '../../leaks/verdicts.js';
import type { ProbeId } from '../../leaks/probes.js';

const NONCE = '0123456789abcdef';
const OTHER = 'fedcba9876543210';
const CLIENT4 = '10.210.40.2';
const CLIENT6 = 'fd00:cafe:40::2';

function v4(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

function v6(text: string): Buffer {
  const [head = '', tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

function ipv4(protocol: number, dst: string, l4: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + l4.length, 2);
  h[8] = 64;
  h[9] = protocol;
  v4(CLIENT4).copy(h, 12);
  v4(dst).copy(h, 16);
  return Buffer.concat([h, l4]);
}

function ipv6(next: number, dst: string, l4: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(l4.length, 4);
  h[6] = next;
  h[7] = 64;
  v6(CLIENT6).copy(h, 8);
  v6(dst).copy(h, 24);
  return Buffer.concat([h, l4]);
}

function udp(port: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(40000, 0);
  h.writeUInt16BE(port, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

function tcp(port: number, flags: number): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(40001, 0);
  h.writeUInt16BE(port, 2);
  h[12] = 5 << 4;
  h[13] = flags;
  return h;
}

function echo(type: number, nonce: string): Buffer {
  const h = Buffer.alloc(8);
  h[0] = type;
  return Buffer.concat([h, Buffer.alloc(8), Buffer.from(nonce.repeat(3), 'hex')]);
}

function dnsQuery(name: string): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  return Buffer.concat([Buffer.alloc(12), ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

/** A pcap file: Ethernet frames (a veth), or Linux cooked frames with an ARPHRD (an `any` capture). */
function pcap(packets: readonly Buffer[], link: 'ether' | { arphrd: number }): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(262144, 16);
  head.writeUInt32LE(link === 'ether' ? 1 : 113, 20);
  const records = packets.map((ip) => {
    const type = ip[0]! >> 4 === 6 ? 0x86dd : 0x0800;
    let l2: Buffer;
    if (link === 'ether') {
      l2 = Buffer.alloc(14);
      l2.writeUInt16BE(type, 12);
    } else {
      l2 = Buffer.alloc(16);
      l2.writeUInt16BE(4, 0);
      l2.writeUInt16BE(link.arphrd, 2);
      l2.writeUInt16BE(type, 14);
    }
    const frame = Buffer.concat([l2, ip]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  return Buffer.concat([head, ...records]);
}

/** One packet of each probe, as the probe program sends it with `nonce`. */
function allProbes(nonce: string): Buffer[] {
  return [
    ipv4(6, TARGETS.internet4, tcp(PORTS.tcp4, 0x02)),
    ipv4(17, TARGETS.internet4, udp(PORTS.udp4, udpPayload(nonce))),
    ipv4(17, TARGETS.systemDns, udp(53, dnsQuery(dnsName(nonce, 'sys')))),
    ipv4(17, TARGETS.fixedDns, udp(53, dnsQuery(dnsName(nonce, 'fixed')))),
    ipv4(1, TARGETS.internet4, echo(8, nonce)),
    ipv6(6, TARGETS.internet6, tcp(PORTS.tcp6, 0x02)),
    ipv6(58, TARGETS.internet6, echo(128, nonce)),
    ipv4(6, TARGETS.vpnLan, tcp(PORTS.tcpVpnLan, 0x02)),
  ];
}

const every = (v: Verdict): Record<ProbeId, Verdict> => ({
  tcp4: v,
  udp4: v,
  'dns-system': v,
  'dns-fixed': v,
  icmp4: v,
  tcp6: v,
  icmp6: v,
  'tcp-vpn-lan': v,
});

describe('leak suite: pcap decoding', () => {
  it('reads Ethernet and cooked captures down to addresses, ports, flags and payload', () => {
    const eth = readIpPackets(pcap(allProbes(NONCE), 'ether'));
    assert.equal(eth.length, 8);
    assert.deepEqual(
      eth.map((p) => [p.family, p.protocol, p.dst, p.dstPort ?? p.icmpType]),
      [
        [4, 6, TARGETS.internet4, PORTS.tcp4],
        [4, 17, TARGETS.internet4, PORTS.udp4],
        [4, 17, TARGETS.systemDns, 53],
        [4, 17, TARGETS.fixedDns, 53],
        [4, 1, TARGETS.internet4, 8],
        [6, 6, TARGETS.internet6, PORTS.tcp6],
        [6, 58, TARGETS.internet6, 128],
        [4, 6, TARGETS.vpnLan, PORTS.tcpVpnLan],
      ],
    );
    assert.equal(eth[5]?.src, CLIENT6);
    assert.equal(eth[0]?.arphrd, undefined);
    const cooked = readIpPackets(pcap(allProbes(NONCE), { arphrd: ARPHRD_TUN }));
    assert.ok(cooked.every((p) => p.arphrd === ARPHRD_TUN));
  });

  it('refuses a pcapng file (dumpcap without -P) instead of reading nothing', () => {
    const ng = Buffer.alloc(28);
    ng.writeUInt32LE(0x0a0d0d0a, 0);
    assert.throws(() => readIpPackets(ng), /not a pcap file/);
  });

  it('skips truncated frames', () => {
    const file = pcap([ipv4(6, TARGETS.internet4, tcp(PORTS.tcp4, 0x02)).subarray(0, 30)], 'ether');
    assert.deepEqual(readIpPackets(file), []);
  });
});

describe('leak suite: verdicts', () => {
  const outer = readIpPackets(pcap(allProbes(NONCE), 'ether'));
  const tun = readIpPackets(pcap(allProbes(NONCE), { arphrd: ARPHRD_TUN }));
  const veth = readIpPackets(pcap(allProbes(NONCE), { arphrd: ARPHRD_ETHER }));

  it('outside = leaked, only in the TUN = tunneled, neither = blocked', () => {
    for (const v of Object.values(classifyAll(NONCE, outer, tun))) assert.equal(v, 'leaked');
    for (const v of Object.values(classifyAll(NONCE, [], tun))) assert.equal(v, 'tunneled');
    // Seen on the client's own veth but not in the TUN: not tunneled (the outer listener decides leaks).
    for (const v of Object.values(classifyAll(NONCE, [], veth))) assert.equal(v, 'blocked');
    for (const v of Object.values(classifyAll(NONCE, [], []))) assert.equal(v, 'blocked');
  });

  it("another state's probes (other nonce) and a SYN-ACK are not this state's probes", () => {
    const other = readIpPackets(pcap(allProbes(OTHER), 'ether'));
    const v = classifyAll(NONCE, other, []);
    // TCP SYNs carry no nonce: each state has its own capture for that reason.
    for (const id of ['udp4', 'dns-system', 'dns-fixed', 'icmp4', 'icmp6'] as const) assert.equal(v[id], 'blocked');
    const synAck = readIpPackets(pcap([ipv4(6, TARGETS.internet4, tcp(PORTS.tcp4, 0x12))], 'ether'));
    assert.equal(classify('tcp4', NONCE, synAck, []), 'blocked');
  });

  it('judges each state by its promise', () => {
    const ok: Row[] = [
      { state: 'control', killSwitch: 'off', verdicts: every('leaked') },
      { state: 'connecting', killSwitch: 'off', verdicts: every('leaked') },
      { state: 'full', killSwitch: 'off', verdicts: every('tunneled') },
      { state: 'split', killSwitch: 'off', verdicts: { ...every('leaked'), 'tcp-vpn-lan': 'tunneled' } },
      { state: 'disconnected', killSwitch: 'on', verdicts: every('leaked') },
      { state: 'killed', killSwitch: 'on', verdicts: every('blocked') },
      { state: 'disconnected', killSwitch: 'always', verdicts: every('blocked') },
    ];
    assert.deepEqual(judge(ok, []), []);

    const bad: Row[] = [
      { state: 'control', killSwitch: 'off', verdicts: { ...every('leaked'), icmp6: 'blocked' } },
      { state: 'full', killSwitch: 'off', verdicts: { ...every('tunneled'), 'dns-fixed': 'leaked' } },
      { state: 'split', killSwitch: 'off', verdicts: every('leaked') },
      { state: 'reconnecting', killSwitch: 'on', verdicts: { ...every('blocked'), udp4: 'leaked' } },
      { state: 'disconnected', killSwitch: 'always', verdicts: { ...every('blocked'), tcp6: 'leaked' } },
    ];
    const problems = judge(bad, []);
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.match(problems[0] ?? '', /control .*icmp6: the control run did not see/);
    assert.match(problems[1] ?? '', /full tunnel .*dns-fixed: LEAKED/);
    assert.match(problems[2] ?? '', /split .*tcp-vpn-lan: expected through the tunnel/);
    assert.match(problems[3] ?? '', /reconnecting .*on .*udp4: LEAKED/);
    assert.match(problems[4] ?? '', /after disconnect .*always .*tcp6: LEAKED/);
  });

  it('a known gap must still leak, and is marked as one in the table', () => {
    const gaps = [{ state: 'full', killSwitch: 'off', probe: 'tcp6', why: 'IPv6 block not built' }] as const;
    const leaking: Row[] = [{ state: 'full', killSwitch: 'off', verdicts: { ...every('tunneled'), tcp6: 'leaked' } }];
    assert.deepEqual(judge(leaking, gaps), []);
    assert.match(formatTable(leaking, gaps), /LEAKED\(gap\)/);
    const fixed: Row[] = [{ state: 'full', killSwitch: 'off', verdicts: { ...every('tunneled'), tcp6: 'blocked' } }];
    assert.match(judge(fixed, gaps).join(), /no longer leaks \(blocked\): remove it from KNOWN_GAPS/);
    assert.match(formatTable(fixed, gaps), /blocked\(gap fixed\)/);
    // A gap whose fix is landing from another change: fixed is a note in the table, not a failure.
    const landing = [{ ...gaps[0], mustStillLeak: false }];
    assert.deepEqual(judge(fixed, landing), []);
    assert.deepEqual(judge(leaking, landing), []);
  });

  it('a row that could not run is printed with its reason and never counted', () => {
    const rows: Row[] = [{ state: 'connecting', killSwitch: 'on', skipped: 'kill switch not available' }];
    assert.deepEqual(judge(rows, []), []);
    assert.match(formatTable(rows, []), /connecting \(server slowed\)\s+\| on\s+\| \(kill switch not available\)/);
  });
});
