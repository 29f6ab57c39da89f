import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isRouterAdvertisement, parseRouterAdvertisement } from '../../../../main/engine/packet/router-advert.js';
import { linkLocalAddress, slaacAddress } from '../../../../main/engine/packet/slaac.js';
import { buildRouterAdvertisement } from '../../../peers/router-advertiser.js';

// Made with Python's struct + socket.inet_pton from the RFC 4861/8106 layout (a third implementation):
// fe80::1 -> ff02::1, hop limit 255, router lifetime 1800, PIO 2001:db8:1:2::/64 L+A valid 3600
// preferred 1800, RDNSS 2001:db8::53 + 2001:db8::54 lifetime 600, MTU 1400; checksum 0x2c4f.
const VECTOR = Buffer.from(
  '6000000000603afffe800000000000000000000000000001ff020000000000000000000000000001' +
    '86002c4f4000070800000000000000000' +
    '30440c000000e10000007080000000020010db8000100020000000000000000' +
    '190500000000025820010db800000000000000000000005320010db8000000000000000000000054' +
    '0501000000000578',
  'hex',
);

describe('router advertisement parser', () => {
  it('decodes the byte-exact vector', () => {
    assert.equal(VECTOR.length, 136);
    assert.ok(isRouterAdvertisement(VECTOR));
    const r = parseRouterAdvertisement(VECTOR);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    assert.deepEqual(r.ra, {
      source: 'fe80::1',
      routerLifetime: 1800,
      prefixes: [
        {
          prefix: '2001:db8:1:2::/64',
          prefixLength: 64,
          onLink: true,
          autonomous: true,
          validLifetime: 3600,
          preferredLifetime: 1800,
          high64: 0x20010db800010002n,
        },
      ],
      dns: [
        { address: '2001:db8::53', lifetime: 600 },
        { address: '2001:db8::54', lifetime: 600 },
      ],
      mtu: 1400,
    });
  });

  it('the peer builds the same bytes as the vector', () => {
    const built = buildRouterAdvertisement({
      prefixes: [{ prefix: '2001:db8:1:2::' }],
      rdnss: { servers: ['2001:db8::53', '2001:db8::54'] },
      mtu: 1400,
    });
    assert.equal(built.toString('hex'), VECTOR.toString('hex'));
  });

  it('refuses each malformed form with a typed error', () => {
    const cases: [string, Buffer, string][] = [
      ['truncated header', VECTOR.subarray(0, 50), 'truncated'],
      ['payload length past the packet', VECTOR.subarray(0, 120), 'truncated'],
      ['router solicitation', patch(VECTOR, 40, 133), 'not-router-advertisement'],
      ['non-zero code', patch(VECTOR, 41, 1), 'not-router-advertisement'],
      ['IPv4', patch(VECTOR, 0, 0x45), 'not-router-advertisement'],
      ['forwarded (hop limit 254)', buildRouterAdvertisement({ hopLimit: 254 }), 'bad-hop-limit'],
      ['global source', buildRouterAdvertisement({ source: '2001:db8::1' }), 'not-link-local'],
      ['flipped byte', patch(VECTOR, 100, VECTOR[100]! ^ 1), 'bad-checksum'],
      ['zero-length option', withOption(Buffer.from([3, 0, 0, 0, 0, 0, 0, 0])), 'bad-option'],
      ['option past the end', withOption(Buffer.from([25, 9, 0, 0, 0, 0, 0, 0])), 'bad-option'],
      ['short prefix option', withOption(Buffer.from([3, 1, 64, 0xc0, 0, 0, 0, 0])), 'bad-option'],
      ['RDNSS without address', withOption(Buffer.from([25, 1, 0, 0, 0, 0, 0, 0])), 'bad-option'],
    ];
    for (const [what, packet, code] of cases) {
      const r = parseRouterAdvertisement(packet);
      assert.equal(r.ok, false, what);
      if (!r.ok) assert.equal(r.error.code, code, `${what}: ${r.error.message}`);
    }
  });

  it('skips options it does not know (source link-layer address)', () => {
    const r = parseRouterAdvertisement(withOption(Buffer.from([1, 1, 0, 1, 2, 3, 4, 5])));
    assert.ok(r.ok);
    assert.equal(r.ra.prefixes.length, 0);
  });

  it('never throws on random bytes or mutations of a good packet', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = parseRouterAdvertisement(bytes);
        assert.equal(typeof r.ok, 'boolean');
      }),
    );
    fc.assert(
      fc.property(fc.nat(VECTOR.length - 1), fc.nat(255), (at, value) => {
        const r = parseRouterAdvertisement(patch(VECTOR, at, value));
        if (!r.ok) assert.ok(r.error.message.length > 0);
      }),
    );
  });
});

describe('SLAAC with the IPv6CP identifier', () => {
  const prefix = {
    prefix: '2001:db8:1:2::/64',
    prefixLength: 64,
    onLink: true,
    autonomous: true,
    validLifetime: 3600,
    preferredLifetime: 1800,
    high64: 0x20010db800010002n,
  };

  it('joins the /64 prefix and the negotiated identifier', () => {
    assert.deepEqual(slaacAddress(prefix, '21a:2bff:fe3c:4d5e'), {
      use: true,
      address: { address: '2001:db8:1:2:21a:2bff:fe3c:4d5e/64', validLifetime: 3600, preferredLifetime: 1800 },
    });
    assert.equal(linkLocalAddress('21a:2bff:fe3c:4d5e'), 'fe80::21a:2bff:fe3c:4d5e/64');
    assert.equal(linkLocalAddress('0:0:0:1'), 'fe80::1/64');
  });

  it('declines what RFC 4862 §5.5.3 excludes, saying why', () => {
    const no = (p: Partial<typeof prefix>, id = '1:2:3:4') => {
      const d = slaacAddress({ ...prefix, ...p }, id);
      assert.equal(d.use, false);
      return d.use ? '' : d.reason;
    };
    assert.match(no({ autonomous: false }), /A flag/);
    assert.match(no({ prefixLength: 56 }), /not a \/64/);
    assert.match(no({ preferredLifetime: 7200 }), /preferred/);
    assert.match(no({ high64: 0xfe80000000000000n, prefix: 'fe80::/64' }), /link-local/);
    assert.match(no({}, 'x:y'), /identifier/);
  });
});

function patch(b: Buffer, at: number, value: number): Buffer {
  const c = Buffer.from(b);
  c[at] = value;
  return c;
}

/** The minimal RA with one extra option appended, its lengths and checksum made right again. */
function withOption(option: Buffer): Buffer {
  const base = buildRouterAdvertisement({});
  const p = Buffer.concat([base, option]);
  p.writeUInt16BE(p.length - 40, 4);
  p.writeUInt16BE(0, 42);
  const icmp = p.subarray(40);
  const pseudo = Buffer.concat([
    p.subarray(8, 40),
    Buffer.from([0, 0, icmp.length >> 8, icmp.length & 0xff, 0, 0, 0, 58]),
    icmp,
  ]);
  let sum = 0;
  for (let i = 0; i < pseudo.length; i += 2) sum += (pseudo[i]! << 8) | (pseudo[i + 1] ?? 0);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  p.writeUInt16BE(~sum & 0xffff, 42);
  return p;
}
