// A system data plane without root: a NetConfigurator that records the helper calls it would make and
// an in-memory TUN whose "kernel" side the test writes packets into.
import type { NetConfigurator } from '../../../../main/engine/datapath/net-configurator.js';
import type { SessionFailure } from '../../../../main/engine/failure.js';
import { createMemoryTun, type MemoryTunKernel } from '../../../../main/engine/tun/tun-memory.js';
import type { DataPlaneProvider } from '../../../../main/services/connections/ports.js';

export class RecordingNet implements NetConfigurator {
  calls: string[] = [];
  async createTun() {
    this.calls.push('create-tun');
    return 'causeway0';
  }
  async configure(a: { address: string; mtu: number }) {
    this.calls.push(`configure ${a.address} mtu ${a.mtu}`);
  }
  async setRoutes(a: { routing: { mode: string }; serverAddress: string }) {
    this.calls.push(`routes ${a.routing.mode} keep ${a.serverAddress}`);
  }
  async setDns(a: { servers: readonly string[] }) {
    this.calls.push(`dns ${a.servers.join(',')}`);
  }
  async teardown() {
    this.calls.push('teardown');
  }
}

export function recordingPlane(opts: { fail?: SessionFailure } = {}) {
  const net = new RecordingNet();
  const kernels: MemoryTunKernel[] = [];
  let acquired = 0;
  let released = 0;
  const provider: DataPlaneProvider = {
    acquire: async () => {
      acquired++;
      if (opts.fail) return { ok: false, failure: opts.fail };
      return {
        ok: true,
        plane: {
          net,
          openTun: (name) => {
            const { device, kernel } = createMemoryTun({ name });
            kernels.push(kernel);
            return { ok: true, device };
          },
          serverAddress: '203.0.113.5',
          release: async () => void released++,
        },
      };
    },
  };
  return {
    provider,
    net,
    kernels,
    get acquired() {
      return acquired;
    },
    get released() {
      return released;
    },
  };
}

/** A minimal IPv4 packet of `length` bytes: the pump reads only the version nibble. */
export function ipv4Packet(length: number): Buffer {
  const p = Buffer.alloc(length);
  p[0] = 0x45;
  p.writeUInt16BE(length, 2);
  return p;
}
