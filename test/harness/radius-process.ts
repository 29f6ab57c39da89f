// What the two real RADIUS servers of the EAP tests (FreeRADIUS: freeradius.ts; hostapd's EAP
// server: radius-hostapd.ts) share: a free UDP port on loopback, the server run in the foreground
// with its output kept, "ready" when a line of that output says so (or a failure with the output's
// tail when it exits or takes too long), and a stop that asks with SIGTERM before SIGKILL.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { onProcessExit } from './cleanup.js';

export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export interface RadiusProcessSpec {
  /** For messages: "freeradius", "hostapd". */
  readonly name: string;
  readonly binary: string;
  readonly args: readonly string[];
  /** The output that means it serves requests. */
  readonly readyText: string;
  readonly readyTimeoutMs: number;
  /** How much of the output's end a failure quotes. */
  readonly tailChars: number;
  readonly encoding: BufferEncoding;
}

export interface RadiusProcess {
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts the server and waits until it is ready; on failure it is killed and the error says why. */
export async function startRadiusProcess(spec: RadiusProcessSpec): Promise<RadiusProcess> {
  const child = spawn(spec.binary, [...spec.args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const unregister = onProcessExit(() => child.kill('SIGKILL'));
  let log = '';
  const collect = (b: Buffer): void => {
    log += b.toString(spec.encoding);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  try {
    await waitReady(child, spec, () => log);
  } catch (e) {
    unregister();
    throw e;
  }
  return {
    output: () => log,
    stop: async () => {
      await stopChild(child);
      unregister();
    },
  };
}

function waitReady(child: ChildProcess, spec: RadiusProcessSpec, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (why?: string): void => {
      clearTimeout(timer);
      clearInterval(poll);
      child.off('exit', onExit);
      if (why === undefined) return resolve();
      child.kill('SIGKILL');
      reject(new Error(`${spec.name} ${why}; last output:\n${log().slice(-spec.tailChars)}`));
    };
    const poll = setInterval(() => log().includes(spec.readyText) && finish(), 50);
    const timer = setTimeout(() => finish(`not ready after ${spec.readyTimeoutMs} ms`), spec.readyTimeoutMs);
    const onExit = (code: number | null): void => finish(`exited with ${code}`);
    child.once('exit', onExit);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
