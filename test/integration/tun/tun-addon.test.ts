// Root: the real helper creates and configures a TUN in a namespace and hands its descriptor over;
// the addon attaches to it and moves packets both ways with the kernel. And the hand-over as pkexec
// does it, to an unprivileged user, whatever /dev/net/tun's mode, and to nobody else.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HelperClient } from '../../../main/helper/client/client.js';
import { createNetns, deleteNetns, helperIn, isRoot, linkNames, waitFor } from '../helper/netns.js';
import { Probe, type ProbeMessage } from './probe.js';

const NS = 'cwt-tun';
const TUN = 'cwt-tun0';
let helper: HelperClient | undefined;
let probe: Probe | undefined;

function checksum(buf: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += (buf[buf.length - 1] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ipv4(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

/** An IPv4/UDP datagram as if the VPN server sent it, with valid checksums. */
function udpPacket(src: string, sport: number, dst: string, dport: number, payload: Buffer): Buffer {
  const udpLen = 8 + payload.length;
  const p = Buffer.alloc(20 + udpLen);
  p[0] = 0x45;
  p.writeUInt16BE(p.length, 2);
  p[8] = 64;
  p[9] = 17;
  ipv4(src).copy(p, 12);
  ipv4(dst).copy(p, 16);
  p.writeUInt16BE(checksum(p.subarray(0, 20)), 10);
  p.writeUInt16BE(sport, 20);
  p.writeUInt16BE(dport, 22);
  p.writeUInt16BE(udpLen, 24);
  payload.copy(p, 28);
  const pseudo = Buffer.concat([p.subarray(12, 20), Buffer.from([0, 17, udpLen >> 8, udpLen & 0xff]), p.subarray(20)]);
  p.writeUInt16BE(checksum(pseudo) || 0xffff, 26);
  return p;
}

function udpOf(hex: string): { dst: string; dport: number; payload: Buffer } | undefined {
  const p = Buffer.from(hex, 'hex');
  if (p[0] !== 0x45 || p[9] !== 17) return undefined;
  return { dst: [...p.subarray(16, 20)].join('.'), dport: p.readUInt16BE(22), payload: p.subarray(28) };
}

const udpPackets = (p: Probe) =>
  p.events('batch').flatMap((b) => (b.packets as string[]).map(udpOf).filter((u) => u !== undefined));
const packetCount = (m: ProbeMessage) => (m.packets as string[]).filter((h) => udpOf(h) !== undefined).length;

describe('TUN addon (root, netns)', { skip: isRoot() ? false : 'needs root' }, () => {
  before(async () => {
    createNetns(NS);
    helper = await HelperClient.start(helperIn(NS));
    await helper.createTun({ name: TUN, uid: 0 });
    await helper.configure({ name: TUN, address: '10.99.0.1', peer: '10.99.0.2', mtu: 1400 });
    await helper.setRoutes({ name: TUN, mode: 'split', routes: ['10.99.1.0/24'], serverAddress: '192.0.2.1' });
  });
  after(async () => {
    await probe?.stop();
    await helper?.close();
    deleteNetns(NS);
  });

  test('attaches to the handed-over descriptor; reports the MTU the helper set; refuses what is not a TUN', async () => {
    assert.ok(helper);
    // One pool thread, so the pool test below can occupy all of it.
    probe = await Probe.handed(NS, helper, TUN, { env: { UV_THREADPOOL_SIZE: '1' } });
    const notTun = await probe.call('open-file', { path: '/dev/null' });
    assert.match((notTun.error as { code: string }).code, /^(ENOTTY|EINVAL)$/);
    const closed = await probe.call('open', { fd: 1000 });
    assert.equal((closed.error as { code: string }).code, 'EBADF');
    assert.deepEqual(await probe.call('open', { maxPackets: 32 }), { id: 3, ok: true, name: TUN, headroom: 8, uid: 0 });
    assert.equal((await probe.call('mtu')).mtu, 1400);
  });

  test('a packet the kernel routes into the TUN is read, with zeroed headroom in front', async () => {
    assert.ok(probe);
    await probe.call('udp-send', { host: '10.99.1.5', port: 7000, count: 1, size: 5 });
    await probe.until('the datagram', () => udpPackets(probe!).length >= 1);
    const [u] = udpPackets(probe);
    assert.equal(u?.dst, '10.99.1.5');
    assert.equal(u?.dport, 7000);
    assert.deepEqual(u?.payload, Buffer.alloc(5, 0));
    assert.equal(
      probe.events('batch').every((b) => b.headroomClean === true && b.headroom === 8),
      true,
    );
  });

  test('a burst is drained in batches (capped at maxPackets), nothing lost', async (t) => {
    assert.ok(probe);
    const before = udpPackets(probe).length;
    const batchesBefore = probe.events('batch').length;
    await probe.call('udp-send', { host: '10.99.1.6', port: 7001, count: 300, size: 1000 });
    await probe.until('300 datagrams', () => udpPackets(probe!).length - before >= 300);
    const batches = probe.events('batch').slice(batchesBefore);
    const sizes = batches.map(packetCount);
    assert.ok(Math.max(...sizes) > 1, `several packets per wake-up: ${sizes.join(',')}`);
    assert.ok(Math.max(...batches.map((b) => b.count as number)) <= 32, 'cap respected');
    const stats = (await probe.call('stats')).stats as { rxPackets: number; rxWakeups: number };
    assert.ok(stats.rxWakeups < stats.rxPackets, JSON.stringify(stats));
    t.diagnostic(`300 datagrams in ${batches.length} wake-ups, largest ${Math.max(...sizes)}`);
  });

  test('a packet written by the addon reaches a socket in the namespace', async () => {
    assert.ok(probe);
    await probe.call('udp-bind', { address: '10.99.0.1', port: 7100 });
    const packet = udpPacket('10.99.1.5', 9, '10.99.0.1', 7100, Buffer.from('from the far side'));
    assert.equal(
      (await probe.call('write', { packets: [packet.toString('hex'), packet.toString('hex')] })).consumed,
      2,
    );
    const got = await probe.waitForCount('udp', 2);
    assert.equal(Buffer.from(got[0]?.data as string, 'hex').toString(), 'from the far side');
    assert.equal(got[0]?.from, '10.99.1.5');
    assert.equal(got[0]?.fromPort, 9);
  });

  test('garbage written is dropped by the kernel, not thrown, and later packets still go', async () => {
    assert.ok(probe);
    const good = udpPacket('10.99.1.5', 9, '10.99.0.1', 7100, Buffer.from('after garbage'));
    const r = await probe.call('write', { packets: ['00', 'ff'.repeat(40), good.toString('hex')] });
    assert.equal(r.consumed, 3);
    await probe.until('the good one', () =>
      probe!.events('udp').some((m) => Buffer.from(m.data as string, 'hex').toString() === 'after garbage'),
    );
    const stats = (await probe.call('stats')).stats as { txDropped: number };
    assert.ok(stats.txDropped >= 1);
  });

  test('pause holds packets in the kernel; resume delivers them', async () => {
    assert.ok(probe);
    await probe.call('pause');
    const before = udpPackets(probe).length;
    await probe.call('udp-send', { host: '10.99.1.7', port: 7002, count: 5, size: 10 });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(udpPackets(probe).length, before, 'nothing while paused');
    await probe.call('resume');
    await probe.until('held datagrams', () => udpPackets(probe!).length - before >= 5);
  });

  test('reads keep flowing while the libuv threadpool is saturated', async () => {
    assert.ok(probe);
    await probe.call('block-pool', { jobs: 20 });
    const before = udpPackets(probe).length;
    await probe.call('udp-send', { host: '10.99.1.8', port: 7003, count: 3, size: 10 });
    await probe.until('datagrams with the pool busy', () => udpPackets(probe!).length - before >= 3);
    assert.equal(probe.events('pool-done').length, 0, 'the pool was still busy when the packets arrived');
    await probe.until('pool done', (m) => m.event === 'pool-done', 30_000);
  });

  // '': the machine's /dev/net/tun as it is (0600 here); the others are bind-mounted over it in
  // the probes' own mount namespaces, so the machine's node is never changed.
  for (const mode of ['', '600', '666']) {
    test(`an unprivileged user gets the TUN created for its uid, and nobody else does (/dev/net/tun ${mode || 'as is'})`, async () => {
      const owner = 65534;
      const stranger = owner - 1;
      const probes: Probe[] = [];
      const start = async (): Promise<Probe> => {
        const p = new Probe(NS, { HOME: '/tmp' });
        probes.push(p);
        if (mode !== '') assert.equal((await p.call('dev-tun-mode', { mode })).mode, mode);
        return p;
      };
      const errorCode = (m: ProbeMessage) => (m.error as { code?: string } | undefined)?.code;
      try {
        // The user: a helper launched for them (PKEXEC_UID) on a socket they made; then no privileges at all.
        const user = await start();
        assert.equal(
          (await user.call('helper-start', { spec: helperIn(NS), pkexecUid: owner, channelUid: owner }, 30_000)).ok,
          true,
        );
        const dropped = await user.call('drop', { uid: owner });
        assert.deepEqual([dropped.uid, dropped.euid], [owner, owner]);
        assert.equal(
          (await user.call('helper-create', { name: 'cwt-tun1', uid: owner, address: '10.98.0.1', peer: '10.98.0.2' }))
            .ok,
          true,
        );
        const opened = await user.call('helper-open', { name: 'cwt-tun1' });
        assert.equal(opened.ok, true, JSON.stringify(opened));
        assert.equal(opened.uid, owner);
        await user.call('udp-send', { host: '10.98.0.2', port: 7200, count: 1, size: 3 });
        await user.until('a datagram read without privileges', () => udpPackets(user).some((u) => u.dport === 7200));

        // A stranger cannot open the user's TUN directly: no access to /dev/net/tun (0600) or not its owner (0666).
        const direct = await start();
        await direct.call('drop', { uid: stranger });
        assert.match(errorCode(await direct.call('open-device', { name: 'cwt-tun1' })) ?? '', /^(EACCES|EPERM)$/);

        // Nor through a helper of its own: another user's uid and another helper's TUN are refused.
        const own = await start();
        assert.equal(
          (await own.call('helper-start', { spec: helperIn(NS), pkexecUid: stranger, channelUid: stranger }, 30_000))
            .ok,
          true,
        );
        await own.call('drop', { uid: stranger });
        assert.equal(
          errorCode(
            await own.call('helper-create', { name: 'cwt-tun2', uid: owner, address: '10.96.0.1', peer: '10.96.0.2' }),
          ),
          'refused',
        );
        assert.equal(errorCode(await own.call('helper-open', { name: 'cwt-tun1' })), 'refused');

        // Nor by feeding the user's helper a socket of its own: the descriptor only goes to the uid pkexec vouched for.
        const forged = await start();
        assert.equal(
          (await forged.call('helper-start', { spec: helperIn(NS), pkexecUid: owner, channelUid: stranger }, 30_000))
            .ok,
          true,
        );
        await forged.call('drop', { uid: stranger });
        assert.equal(
          (
            await forged.call('helper-create', {
              name: 'cwt-tun3',
              uid: owner,
              address: '10.95.0.1',
              peer: '10.95.0.2',
            })
          ).ok,
          true,
        );
        const refused = await forged.call('helper-open', { name: 'cwt-tun3' });
        assert.equal(errorCode(refused), 'refused');
        assert.match(
          (refused.error as { message: string }).message,
          /made by uid 65533, not by the calling user \(65534\)/,
        );
      } finally {
        for (const p of probes) {
          await p.call('helper-close', {}, 15_000).catch(() => undefined);
          await p.stop();
        }
      }
      await waitFor(
        'their TUNs gone',
        () => !linkNames(NS).some((n) => ['cwt-tun1', 'cwt-tun2', 'cwt-tun3'].includes(n)),
        5000,
      );
    });
  }

  test('the device deleted underneath: an error event, writes do not throw, close is clean', async (t) => {
    assert.ok(probe && helper);
    await helper.teardown();
    await waitFor('link gone', () => !linkNames(NS).includes(TUN));
    const error = await probe.until('error event', (m) => m.event === 'error');
    assert.match((error.error as { code: string }).code, /^E[A-Z]+$/);
    t.diagnostic(`device gone: ${(error.error as { message: string }).message}`);
    const w = await probe.call('write', {
      packets: [udpPacket('10.99.1.5', 9, '10.99.0.1', 7100, Buffer.alloc(1)).toString('hex')],
    });
    assert.equal(w.consumed, 1);
    assert.equal((await probe.call('close')).closed, true);
  });
});
