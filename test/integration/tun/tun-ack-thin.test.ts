// Root: the kernel's own TCP sender, behind a real TUN, when the ACKs coming back are thinned
// (native/tun/ack_thin.c). The test plays the far receiver (tcp-receiver.ts), as the VPN server's
// side would: one cumulative ACK per segment, all of a read batch's in one write. The addon writes
// only the last ACK of each such run; the sender must still deliver every byte, in order, and close
// cleanly, while duplicate ACKs (a retransmission answered twice) still go.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { HelperClient } from '../../../main/helper/client/client.js';
import { isRoot } from '../helper/netns.js';
import { Probe } from './probe.js';
import { receiveFromSender, senderBytes } from './tcp-receiver.js';
import { startTunNetns, stopTunNetns } from './tun-netns.js';

const NS = 'cwt-athin';
const TUN = 'cwt-athin0';
const LOCAL = '10.95.0.1';
const REMOTE = '10.95.1.5';
const PORT = 9100;
let helper: HelperClient | undefined;
let probe: Probe | undefined;

describe(
  'TUN addon: thinned ACKs and the kernel TCP sender (root, netns)',
  { skip: isRoot() ? false : 'needs root' },
  () => {
    before(async () => {
      helper = await startTunNetns(NS, TUN, 95, false);
    });
    after(async () => {
      await probe?.stop();
      await stopTunNetns(helper, NS);
    });

    test(
      'every byte arrives in order, the sender closes cleanly, and runs of ACKs went as their last one',
      { timeout: 60_000 },
      async (t) => {
        assert.ok(helper);
        const p = await Probe.handed(NS, helper, TUN);
        probe = p;
        assert.equal((await p.call('open')).ok, true);
        const total = 400_000;
        await p.call('tcp-send', { host: REMOTE, port: PORT, bytes: total });

        const r = await receiveFromSender(p, { local: LOCAL, remote: REMOTE, port: PORT }, 45_000);
        const sent = await p.until('the sender closing', (m) => m.event === 'tcp-sent', 10_000);
        assert.equal(sent.error, undefined);
        assert.equal(r.data.length, total);
        assert.equal(
          createHash('sha256').update(r.data).digest('hex'),
          createHash('sha256').update(senderBytes(total)).digest('hex'),
        );
        const stats = (await p.call('stats')).stats as { txAcksThinned: number; txPackets: number; txDropped: number };
        assert.ok(stats.txAcksThinned > 0, JSON.stringify(stats));
        assert.ok(stats.txAcksThinned < r.acksWritten, 'the last ACK of each write went');
        assert.equal(stats.txDropped, 0);
        t.diagnostic(
          `${r.acksWritten} ACKs handed to write(), ${stats.txAcksThinned} thinned, ${stats.txPackets} written; ${r.outOfOrder} out-of-order segments answered`,
        );
        await p.call('close');
      },
    );
  },
);
