import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatStatus } from '../../../main/cli/status-format.js';
import { statusTracker, type ObservedTunnel } from '../../../main/cli/tunnel-registration.js';
import type { TunnelState } from '../../../main/engine/datapath/tunnel.js';
import type { TunnelInfo } from '../../../main/engine/session.js';

class Tunnel implements ObservedTunnel {
  state: TunnelState = { state: 'connecting', attempt: 1 };
  stats = undefined;
  private readonly listeners = new Set<(s: TunnelState) => void>();
  onState(l: (s: TunnelState) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  up(info: Partial<TunnelInfo>): void {
    this.state = {
      state: 'connected',
      interfaceName: 'causeway0',
      ipv4: { local: '192.168.30.10', peer: '192.168.30.1', dns: [] },
      mtu: 1400,
      routing: { mode: 'full' },
      dns: [],
      info: info as TunnelInfo,
      reconnects: 0,
    };
    for (const l of this.listeners) l(this.state);
  }
}

describe('causeway status: the server in use', () => {
  it('names the server of the list that connected and why the others were skipped', () => {
    const tunnel = new Tunnel();
    const tracker = statusTracker({ name: 'Pool', profileId: 'p', server: 'a.example:443', tunnel, pid: 1 });
    assert.equal(tracker.status().server, 'a.example:443');
    tunnel.up({
      server: { host: 'b.example', port: 8443 },
      skipped: [{ server: 'a.example:443', reason: 'The connection to a.example:443 was refused.' }],
    });
    const s = tracker.status();
    assert.equal(s.server, 'b.example:8443');
    const text = formatStatus([s], 0);
    assert.match(text, /server {5}b\.example:8443\n/);
    assert.match(text, /skipped {4}a\.example:443: The connection to a\.example:443 was refused\./);
    tracker.dispose();
  });
});
