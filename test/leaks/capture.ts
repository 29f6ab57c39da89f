// A listener that records every packet crossing an interface of a namespace: dumpcap (Wireshark's
// capture engine, already a test dependency) writing a classic pcap file that pcap.ts reads.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tool } from '../harness/netns.js';
import { readIpPackets, type IpPacket } from './pcap.js';

export interface Capture {
  /** Stops the capture (SIGINT: dumpcap flushes and closes the file) and returns what it saw. */
  stop(): Promise<IpPacket[]>;
}

/**
 * Starts dumpcap in `netns` on `iface` ('any' for every interface, new ones included, in Linux cooked
 * form so a TUN and a veth can be told apart) and resolves once it is capturing.
 */
export function startCapture(netns: string, iface: string, dir: string, label: string): Promise<Capture> {
  const file = join(dir, `${label}.pcap`);
  const child = spawn(tool('ip'), ['netns', 'exec', netns, tool('dumpcap'), '-q', '-P', '-i', iface, '-w', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dumpcap on ${netns}/${iface} did not start capturing: ${stderr}`));
    }, 20_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Said once the socket is open: packets before it would be lost, so the probes wait for it.
      if (!/Capturing on/.test(stderr)) return;
      clearTimeout(timer);
      resolve({
        async stop() {
          child.kill('SIGINT');
          const code = await exited;
          if (code !== 0 && code !== null) throw new Error(`dumpcap on ${netns}/${iface} failed (${code}): ${stderr}`);
          const packets = readIpPackets(readFileSync(file));
          rmSync(file, { force: true });
          return packets;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`dumpcap on ${netns}/${iface} exited (${code ?? '?'}): ${stderr}`));
    });
  });
}
