// Ipv6Link answers Neighbor Solicitations for its own addresses into the tunnel (why: neighbor-discovery.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../../main/engine/clock.js';
import type { LinkEvent, SessionDataPort } from '../../../../main/engine/datapath/data-port.js';
import { Ipv6Link } from '../../../../main/engine/datapath/ipv6-link.js';
import type { NetConfigurator } from '../../../../main/engine/datapath/net-configurator.js';
import { parseIpv6 } from '../../../../main/engine/addresses.js';
import { icmpv6Checksum } from '../../../../main/engine/packet/checksum.js';
import { buildRouterAdvertisement } from '../../../peers/router-advertiser.js';

function session(ipv6Up: boolean) {
  const listeners = new Set<(e: LinkEvent) => void>();
  const written: Buffer[] = [];
  const s: SessionDataPort & { emit(e: LinkEvent): void } = {
    writeFramed: (b) => (written.push(Buffer.from(b)), true),
    onDrain: () => {},
    onIpPacket: () => () => {},
    pauseReceive: () => {},
    resumeReceive: () => {},
    ipv6Up,
    peerMru: 1500,
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(e) {
      for (const l of listeners) l(e);
    },
  };
  return { s, written };
}

/** A solicitation from fe80::1 for `target`, built from its fields (the vector is in neighbor-discovery.test.ts). */
function solicitation(target: string): Buffer {
  const p = Buffer.alloc(64);
  p[0] = 0x60;
  p.writeUInt16BE(24, 4);
  p[6] = 58;
  p[7] = 255;
  const put = (at: number, a: string) => {
    const v = parseIpv6(a)!.value;
    for (let i = 0; i < 16; i++) p[at + i] = Number((v >> BigInt((15 - i) * 8)) & 0xffn);
  };
  put(8, 'fe80::1');
  put(24, 'ff02::1:ff3c:4d5e');
  p[40] = 135;
  put(48, target);
  p.writeUInt16BE(icmpv6Checksum(p, 64), 42);
  return p;
}

function link() {
  const net = { setIpv6: () => Promise.resolve() } as unknown as NetConfigurator;
  return new Ipv6Link({ net, clock: new ManualClock(), log: { info: () => {}, error: () => {} }, onChange: () => {} });
}

const ID = { localInterfaceId: '21a:2bff:fe3c:4d5e', peerInterfaceId: null };

test('a solicitation for our link-local or SLAAC address is answered into the tunnel; others go on to the TUN', () => {
  const l = link();
  const { s, written } = session(true);
  l.watch(s);
  s.emit({ type: 'ipv6-up', ipv6: ID });
  l.attach('causeway0', s);
  assert.equal(l.neighborSolicitation(solicitation('fe80::21a:2bff:fe3c:4d5e')), true);
  assert.equal(written.length, 1);
  const frame = written[0]!;
  // SSTP data header (4) + PPP ff 03 00 57 (IPv6), then the advertisement from our address to fe80::1.
  assert.equal(frame.subarray(4, 8).toString('hex'), 'ff030057');
  const na = frame.subarray(8);
  assert.equal(na[40], 136);
  assert.equal(icmpv6Checksum(na, na.length), 0);
  assert.equal(na.subarray(24, 40).toString('hex'), 'fe800000000000000000000000000001');

  assert.equal(l.neighborSolicitation(solicitation('2001:db8:1:2:21a:2bff:fe3c:4d5e')), false, 'no SLAAC address yet');
  l.routerAdvertisement(buildRouterAdvertisement({ prefixes: [{ prefix: '2001:db8:1:2::' }] }));
  assert.equal(l.neighborSolicitation(solicitation('2001:db8:1:2:21a:2bff:fe3c:4d5e')), true);
  assert.equal(l.neighborSolicitation(solicitation('fe80::99')), false, 'not ours');
  assert.equal(written.length, 2);
});

test('nothing is answered before IPv6CP is open or while the session cannot send IPv6', () => {
  const l = link();
  const { s, written } = session(false);
  l.watch(s);
  assert.equal(l.neighborSolicitation(solicitation('fe80::21a:2bff:fe3c:4d5e')), false);
  s.emit({ type: 'ipv6-up', ipv6: ID });
  l.attach('causeway0', s);
  assert.equal(l.neighborSolicitation(solicitation('fe80::21a:2bff:fe3c:4d5e')), false);
  assert.equal(written.length, 0);
});
