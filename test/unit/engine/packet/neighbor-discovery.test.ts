import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildNeighborAdvertisement,
  isNeighborSolicitation,
  parseNeighborSolicitation,
} from '../../../../main/engine/packet/neighbor-discovery.js';

// Made with Python's struct + socket.inet_pton from the RFC 4861 layout (a second implementation),
// the addresses of a SoftEther run (docs/ipv6.md): the router fe80::5ccc:72ff:fe53:f2b2 asks
// ff02::1:ff39:94c8 for fe80::3994:cafe:ff39:94c8, with its source link-layer address 5e:cc:72:53:f2:b2.
const NS = Buffer.from(
  '6000000000203afffe800000000000005ccc72fffe53f2b2ff0200000000000000000001ff3994c8' +
    '8700ca6000000000fe800000000000003994cafeff3994c801015ecc7253f2b2',
  'hex',
);
// The answer: from the target to the solicitor, S + O, no options.
const NA = Buffer.from(
  '6000000000183afffe800000000000003994cafeff3994c8fe800000000000005ccc72fffe53f2b2' +
    '88002a2c60000000fe800000000000003994cafeff3994c8',
  'hex',
);
// The answer to a duplicate address check (solicitor ::): to ff02::1, O only.
const NA_DAD = Buffer.from(
  '6000000000183afffe800000000000003994cafeff3994c8ff020000000000000000000000000001' +
    '88002a7c20000000fe800000000000003994cafeff3994c8',
  'hex',
);
const TARGET = 0xfe800000000000003994cafeff3994c8n;

describe('neighbor solicitation and advertisement', () => {
  it('reads the vector and answers it byte for byte', () => {
    assert.ok(isNeighborSolicitation(NS));
    const ns = parseNeighborSolicitation(NS);
    assert.deepEqual(ns, { source: 0xfe800000000000005ccc72fffe53f2b2n, target: TARGET });
    assert.deepEqual(buildNeighborAdvertisement(ns!), NA);
  });

  it('a solicitation from the unspecified address is answered to all nodes, not solicited', () => {
    assert.deepEqual(buildNeighborAdvertisement({ source: 0n, target: TARGET }), NA_DAD);
  });

  it('refuses what RFC 4861 §7.1.1 says to drop', () => {
    const broken = (at: number, value: number) => {
      const p = Buffer.from(NS);
      p[at] = value;
      return p;
    };
    assert.equal(parseNeighborSolicitation(broken(7, 64)), undefined, 'hop limit not 255');
    assert.equal(parseNeighborSolicitation(broken(41, 1)), undefined, 'code not 0');
    assert.equal(parseNeighborSolicitation(broken(70, 0)), undefined, 'checksum');
    assert.equal(parseNeighborSolicitation(NS.subarray(0, 60)), undefined, 'truncated');
    assert.equal(parseNeighborSolicitation(NA), undefined, 'an advertisement');
    assert.equal(isNeighborSolicitation(NA), false);
    // A multicast target, with the checksum made right for it.
    const multicast = Buffer.from(NS);
    multicast.set(Buffer.from('ff0200000000000000000001ff3994c8', 'hex'), 48);
    multicast.writeUInt16BE(0, 42);
    assert.equal(parseNeighborSolicitation(multicast), undefined);
  });

  it('never throws on any prefix of the packet or random bytes', () => {
    for (let n = 0; n <= NS.length; n++) parseNeighborSolicitation(NS.subarray(0, n));
    for (let i = 0; i < 200; i++) {
      const p = Buffer.from(NS);
      const at = Math.floor(Math.random() * p.length);
      p[at] = (p[at] ?? 0) ^ (1 + Math.floor(Math.random() * 255));
      parseNeighborSolicitation(p);
    }
  });
});
