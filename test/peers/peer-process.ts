// The strict peer in a process of its own, for tests that measure the client: a flood's event-loop
// lag must be the engine's, not the peer's TLS, bookkeeping and garbage collection in the same loop.
// Started by remote-peer.ts with fork(); the script comes as JSON (so no fuzz frame generators), the
// peer's events go back over the IPC channel, the high-volume kinds only as counts.
import { startStrictPeer } from './strict-sstp-server.js';
import type { PeerEvent, PeerEventKind } from './events.js';
import type { PartialScript } from './script.js';

export type ToChild = { readonly type: 'start'; readonly script: PartialScript } | { readonly type: 'stop' };
export type FromChild =
  | { readonly type: 'started'; readonly host: string; readonly port: number; readonly certSha256: string }
  | { readonly type: 'event'; readonly event: PeerEvent }
  | { readonly type: 'counts'; readonly counts: Partial<Record<PeerEventKind, number>> }
  | { readonly type: 'stopped'; readonly violations: readonly string[] };

/** Kinds sent as counts only: one IPC message per client packet would swamp both processes. */
export const COUNTED: ReadonlySet<PeerEventKind> = new Set<PeerEventKind>([
  'ppp-received',
  'ppp-sent',
  'protocol-rejected-by-client',
  'sstp-received',
  'sstp-sent',
]);

const send = (m: FromChild) => process.send?.(m);

process.on('message', (m: ToChild) => {
  if (m.type !== 'start') return;
  void (async () => {
    const peer = await startStrictPeer(m.script);
    let forwarded = 0;
    const counts: Partial<Record<PeerEventKind, number>> = {};
    const pump = setInterval(() => {
      for (; forwarded < peer.events.length; forwarded++) {
        const e = peer.events[forwarded] as PeerEvent;
        if (COUNTED.has(e.kind)) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
        else send({ type: 'event', event: e });
      }
      send({ type: 'counts', counts });
    }, 20);
    send({ type: 'started', host: peer.host, port: peer.port, certSha256: peer.certSha256 });
    process.on('message', (s: ToChild) => {
      if (s.type !== 'stop') return;
      clearInterval(pump);
      void peer.stop().then(() => {
        send({ type: 'stopped', violations: peer.violations });
        process.disconnect();
      });
    });
  })();
});
