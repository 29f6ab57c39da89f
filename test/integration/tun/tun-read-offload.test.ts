// Root: the kernel's own TCP sender through a real TUN with the read offloads on (attach.c's
// TUNSETOFFLOAD TSO4/TSO6): the kernel hands the addon ~64 KB super-packets, which read.c cuts
// (native/tun/gso_read.c) into segments no larger than the TUN's MTU before JS sees them. The test
// plays the far receiver (tcp-receiver.ts) and checks every packet it was handed on its own:
// length within the MTU, IPv4 and TCP checksums, and the bytes (sha256) in order. With
// readOffload false the same transfer comes as plain packets and nothing is cut.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../../main/helper/client/client.js';
import { isRoot } from '../helper/netns.js';
import { checksumsOk } from '../../unit/engine/tun/tcp-segments.js';
import { Probe } from './probe.js';
import { receiveFromSender, senderBytes } from './tcp-receiver.js';
import { startTunNetns, stopTunNetns } from './tun-netns.js';

const NS = 'cwt-roff';
const TUN = 'cwt-roff0';
const ENDS = { local: '10.96.0.1', remote: '10.96.1.5', port: 9200 };
const MTU = 1400;
let helper: HelperClient | undefined;
let probe: Probe | undefined;

interface ReadStats {
  rxGsoPackets: number;
  rxGsoSegments: number;
  rxDropped: number;
  rxPackets: number;
}

async function transfer(readOffload: boolean, total: number): Promise<{ stats: ReadStats; note: string }> {
  assert.ok(helper);
  const p = await Probe.handed(NS, helper, TUN);
  probe = p;
  assert.equal((await p.call('open', { readOffload })).ok, true);
  await p.call('tcp-send', { host: ENDS.remote, port: ENDS.port, bytes: total });
  const r = await receiveFromSender(p, ENDS, 60_000);
  const sent = await p.until('the sender closing', (m) => m.event === 'tcp-sent', 10_000);
  assert.equal(sent.error, undefined);
  assert.equal(r.data.length, total);
  assert.equal(
    createHash('sha256').update(r.data).digest('hex'),
    createHash('sha256').update(senderBytes(total)).digest('hex'),
  );
  const tooBig = r.packets.filter((q) => q.length > MTU).length;
  const bad = r.packets.filter((q) => !checksumsOk(q)).length;
  assert.equal(tooBig, 0, 'every packet within the MTU');
  assert.equal(bad, 0, 'every IPv4 and TCP checksum verifies');
  const stats = (await p.call('stats')).stats as ReadStats;
  await p.call('close');
  await p.stop();
  probe = undefined;
  return { stats, note: `${r.packets.length} packets, ${r.acksWritten} ACKs; ${JSON.stringify(stats)}` };
}

describe('TUN addon: TSO reads cut to the MTU (root, netns)', { skip: isRoot() ? false : 'needs root' }, () => {
  before(async () => {
    helper = await startTunNetns(NS, TUN, 96, false);
  });
  after(async () => {
    await probe?.stop();
    await stopTunNetns(helper, NS);
  });

  test(
    'offloads on: super-packets read, cut into valid MTU-sized segments, every byte in order',
    { timeout: 90_000 },
    async (t) => {
      const { stats, note } = await transfer(true, 3_000_000);
      assert.ok(stats.rxGsoPackets > 0, note);
      assert.ok(stats.rxGsoSegments >= 2 * stats.rxGsoPackets, note);
      assert.equal(stats.rxDropped, 0, note);
      t.diagnostic(note);
    },
  );

  test('readOffload false: the same transfer as plain packets, nothing cut', { timeout: 90_000 }, async (t) => {
    const { stats, note } = await transfer(false, 500_000);
    assert.equal(stats.rxGsoPackets, 0, note);
    assert.equal(stats.rxDropped, 0, note);
    t.diagnostic(note);
  });
});
