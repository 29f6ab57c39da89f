// A stand-in for logind on a private test system bus: a dbus-daemon of its own (never the machine's
// bus), a connection that owns org.freedesktop.login1 and emits Manager.PrepareForSleep(b) from
// /org/freedesktop/login1, as logind does around a suspend. The D-Bus wire format is small enough to
// write here (D-Bus specification, "Message Protocol"): SASL EXTERNAL, Hello, RequestName, a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './cleanup.js';

export interface TestSystemBus {
  /** For DBUS_SYSTEM_BUS_ADDRESS. */
  readonly address: string;
  /** Owns org.freedesktop.login1 and emits PrepareForSleep(sleeping). */
  prepareForSleep(sleeping: boolean): void;
  stop(): Promise<void>;
}

const CONFIG = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=@SOCKET@</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`;

export async function startTestSystemBus(): Promise<TestSystemBus> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-bus-'));
  const socket = join(dir, 'system_bus_socket');
  writeFileSync(join(dir, 'system.conf'), CONFIG.replace('@SOCKET@', socket));
  const daemon = spawn(
    'dbus-daemon',
    ['--nofork', '--nopidfile', '--print-address', `--config-file=${dir}/system.conf`],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const unregister = onProcessExit(() => {
    daemon.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const address = await firstLine(daemon);
  const conn = connect(socket);
  await new Promise<void>((resolve, reject) => conn.once('connect', resolve).once('error', reject));
  conn.on('error', () => {});
  await authenticate(conn);
  let serial = 0;
  const send = (m: Message) => conn.write(encodeMessage(m, ++serial));
  const bus = { path: '/org/freedesktop/DBus', destination: 'org.freedesktop.DBus', iface: 'org.freedesktop.DBus' };
  send({ type: 1, ...bus, member: 'Hello' });
  // Flags 4 = DBUS_NAME_FLAG_DO_NOT_QUEUE; the bus handles one connection's messages in order, so the
  // name is ours before any signal below leaves.
  send({
    type: 1,
    ...bus,
    member: 'RequestName',
    signature: 'su',
    body: (w) => (w.str('org.freedesktop.login1'), w.u32(4)),
  });
  conn.resume();
  return {
    address,
    prepareForSleep(sleeping) {
      send({
        type: 4,
        path: '/org/freedesktop/login1',
        iface: 'org.freedesktop.login1.Manager',
        member: 'PrepareForSleep',
        signature: 'b',
        body: (w) => w.u32(sleeping ? 1 : 0),
      });
    },
    async stop() {
      conn.destroy();
      daemon.kill('SIGTERM');
      await new Promise((r) => (daemon.exitCode !== null ? r(null) : daemon.once('exit', r)));
      unregister();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl).trim());
    });
    child.once('exit', (code) => reject(new Error(`dbus-daemon exited (${String(code)}) before listening`)));
  });
}

async function authenticate(conn: Socket): Promise<void> {
  const uid = Buffer.from(String(process.getuid?.() ?? 0)).toString('hex');
  conn.write(`\0AUTH EXTERNAL ${uid}\r\n`);
  const reply = await new Promise<string>((resolve) => conn.once('data', (d: Buffer) => resolve(d.toString())));
  if (!reply.startsWith('OK ')) throw new Error(`test bus refused authentication: ${reply.trim()}`);
  conn.write('BEGIN\r\n');
}

interface Message {
  readonly type: 1 | 4;
  readonly path: string;
  readonly destination?: string;
  readonly iface: string;
  readonly member: string;
  readonly signature?: string;
  readonly body?: (w: Writer) => void;
}

/** Little-endian marshalling with alignment counted from the start of the buffer. */
class Writer {
  private readonly bytes: number[] = [];
  get length(): number {
    return this.bytes.length;
  }
  pad(n: number): void {
    while (this.bytes.length % n !== 0) this.bytes.push(0);
  }
  byte(b: number): void {
    this.bytes.push(b & 0xff);
  }
  u32(v: number): void {
    this.pad(4);
    this.bytes.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  patchU32(at: number, v: number): void {
    for (let i = 0; i < 4; i++) this.bytes[at + i] = (v >>> (8 * i)) & 0xff;
  }
  str(s: string): void {
    const b = Buffer.from(s);
    this.u32(b.length);
    this.bytes.push(...b, 0);
  }
  sig(s: string): void {
    const b = Buffer.from(s);
    this.byte(b.length);
    this.bytes.push(...b, 0);
  }
  buffer(): Buffer {
    return Buffer.from(this.bytes);
  }
}

function encodeMessage(m: Message, serial: number): Buffer {
  const body = new Writer();
  m.body?.(body);
  const w = new Writer();
  w.byte(0x6c); // 'l': little endian
  w.byte(m.type);
  w.byte(0);
  w.byte(1);
  w.u32(body.length);
  w.u32(serial);
  const lengthAt = w.length;
  w.u32(0);
  w.pad(8);
  const start = w.length;
  const field = (code: number, type: 's' | 'o' | 'g', value: string) => {
    w.pad(8);
    w.byte(code);
    w.sig(type);
    if (type === 'g') w.sig(value);
    else w.str(value);
  };
  field(1, 'o', m.path);
  field(2, 's', m.iface);
  field(3, 's', m.member);
  if (m.destination) field(6, 's', m.destination);
  if (m.signature) field(8, 'g', m.signature);
  w.patchU32(lengthAt, w.length - start);
  w.pad(8);
  return Buffer.concat([w.buffer(), body.buffer()]);
}
