// open-tun: the helper hands over only the TUN it created, only on a channel whose peer is the
// calling user, and closes its own copy whatever happens. No root, no device: fakes for both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TunAddon } from '../../../main/engine/tun/native-addon.js';
import { Helper } from '../../../main/helper/root/helper.js';
import type { Response } from '../../../main/helper/protocol.js';
import { socketChannel, type TunChannel } from '../../../main/helper/root/tun-channel.js';
import { fakeSystem, memoryStore } from './fake-system.js';

function recordingChannel(vnet = true) {
  const handed: { name: string; offload: boolean }[] = [];
  const channel: TunChannel = {
    ok: true,
    peerUid: 1000,
    handOver(name, offload) {
      handed.push({ name, offload });
      return { ok: true, value: { vnet: vnet && offload } };
    },
  };
  return { channel, handed };
}

function helperWith(tunChannel?: TunChannel) {
  const system = fakeSystem();
  const helper = new Helper({
    system,
    store: memoryStore(),
    log: () => {},
    callerUid: 1000,
    ...(tunChannel ? { tunChannel } : {}),
  });
  return { system, helper };
}

let nextId = 1;
const send = (helper: Helper, fields: Record<string, unknown>): Promise<Response> =>
  helper.handleLine(JSON.stringify({ id: nextId++, ...fields }));

function refusal(r: Response): string {
  assert.equal(r.ok, false);
  if (r.ok) return '';
  assert.equal(r.error.code, 'refused');
  return r.error.message;
}

test('open-tun hands over the TUN this helper created, offload on unless asked otherwise', async () => {
  const { channel, handed } = recordingChannel();
  const { helper } = helperWith(channel);
  await send(helper, { verb: 'create-tun', uid: 1000 });
  assert.deepEqual(await send(helper, { verb: 'open-tun', name: 'causeway0' }), {
    id: nextId - 1,
    ok: true,
    result: { name: 'causeway0', vnet: true },
  });
  assert.deepEqual(await send(helper, { verb: 'open-tun', name: 'causeway0', offload: false }), {
    id: nextId - 1,
    ok: true,
    result: { name: 'causeway0', vnet: false },
  });
  assert.deepEqual(handed, [
    { name: 'causeway0', offload: true },
    { name: 'causeway0', offload: false },
  ]);
});

test('open-tun before create-tun, or for another interface, hands nothing over', async () => {
  const { channel, handed } = recordingChannel();
  const { helper } = helperWith(channel);
  assert.match(refusal(await send(helper, { verb: 'open-tun', name: 'causeway0' })), /create-tun first/);
  await send(helper, { verb: 'create-tun', uid: 1000 });
  assert.match(refusal(await send(helper, { verb: 'open-tun', name: 'eth0' })), /eth0 was not created by this helper/);
  assert.deepEqual(handed, []);
});

test('without a usable channel open-tun is refused with the reason', async () => {
  const none = helperWith();
  await send(none.helper, { verb: 'create-tun', uid: 1000 });
  assert.match(refusal(await send(none.helper, { verb: 'open-tun', name: 'causeway0' })), /no socket/);
  const unusable = helperWith({ ok: false, reason: 'stdin is not a Unix socket (ENOTSOCK)' });
  await send(unusable.helper, { verb: 'create-tun', uid: 1000 });
  assert.match(refusal(await send(unusable.helper, { verb: 'open-tun', name: 'causeway0' })), /ENOTSOCK/);
});

// A TunAddon whose descriptor calls are scripted and recorded; the packet calls are never reached.
function fakeAddon(script: { peerUid?: number; peerError?: string; sendError?: string; openError?: string }) {
  const calls: string[] = [];
  const fail = (code: string): never => {
    throw Object.assign(new Error(`${code} (scripted)`), { code });
  };
  const addon = {
    peerCredentials: (socket: number) => {
      calls.push(`peer ${socket}`);
      return script.peerError ? fail(script.peerError) : { pid: 42, uid: script.peerUid ?? 1000, gid: 1000 };
    },
    openDevice: (name: string, offload?: boolean) => {
      calls.push(`open ${name} ${String(offload)}`);
      return script.openError ? fail(script.openError) : { fd: 77, vnet: offload === true };
    },
    sendFd: (socket: number, fd: number, tag: string) => {
      calls.push(`send ${socket} ${fd} ${tag}`);
      if (script.sendError) fail(script.sendError);
    },
    closeFd: (fd: number) => void calls.push(`close ${fd}`),
  } as Partial<TunAddon> as TunAddon;
  return { addon, calls };
}

test('the channel is the socket on stdin, and only when its maker is the uid pkexec vouched for', () => {
  const pipe = socketChannel(fakeAddon({ peerError: 'ENOTSOCK' }).addon, 0, 1000);
  assert.equal(pipe.ok, false);
  if (!pipe.ok) assert.match(pipe.reason, /stdin is not a Unix socket \(ENOTSOCK\)/);
  const forged = socketChannel(fakeAddon({ peerUid: 1001 }).addon, 0, 1000);
  assert.equal(forged.ok, false);
  if (!forged.ok) assert.match(forged.reason, /made by uid 1001, not by the calling user \(1000\)/);
  const direct = socketChannel(fakeAddon({ peerUid: 0 }).addon, 0, undefined);
  assert.ok(direct.ok && direct.peerUid === 0, 'a direct launch by root');
});

test('a hand-over opens, sends and always closes our copy', () => {
  const good = fakeAddon({});
  const channel = socketChannel(good.addon, 0, 1000);
  assert.ok(channel.ok);
  assert.deepEqual(channel.handOver('causeway0', true), { ok: true, value: { vnet: true } });
  assert.deepEqual(good.calls, ['peer 0', 'open causeway0 true', 'send 0 77 causeway0', 'close 77']);

  const gone = fakeAddon({ sendError: 'EPIPE' });
  const broken = socketChannel(gone.addon, 0, 1000);
  assert.ok(broken.ok);
  const r = broken.handOver('causeway0', false);
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error.message, /handing causeway0 over: EPIPE/);
  assert.deepEqual(gone.calls.slice(-1), ['close 77']);

  const busy = fakeAddon({ openError: 'EBUSY' });
  const attached = socketChannel(busy.addon, 0, 1000);
  assert.ok(attached.ok);
  const b = attached.handOver('causeway0', true);
  assert.equal(b.ok, false);
  if (!b.ok) assert.match(b.error.message, /opening causeway0: EBUSY/);
  assert.equal(
    busy.calls.some((c) => c.startsWith('send')),
    false,
  );
});
