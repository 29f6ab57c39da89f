// How the helper hands the TUN to the engine: it opens the device itself (only root can rely on
// reading /dev/net/tun) and sends the descriptor over its stdin, a Unix socket whose other end the
// launching process made (HelperClient.start). stdin because pkexec passes 0-2 on and marks every
// other inherited descriptor close-on-exec. Whoever holds the other end gets the TUN, so the
// socket's peer credentials must be the launching user's: PKEXEC_UID under pkexec.
import type { TunAddon } from '../../engine/tun/native-addon.js';
import type { StepResult } from './step-result.js';

export type TunChannel =
  | {
      readonly ok: true;
      /** Who made the socket (SO_PEERCRED): the only process the descriptor can reach. */
      readonly peerUid: number;
      /** Opens the existing TUN `name`, sends it, closes our copy. */
      handOver(name: string, offload: boolean): StepResult<{ vnet: boolean }>;
    }
  | { readonly ok: false; readonly reason: string };

export const STDIN_FD = 0;

/** The channel on fd `socket`, if it is one and belongs to `pkexecUid` (when pkexec started us). */
export function socketChannel(addon: TunAddon, socket: number, pkexecUid: number | undefined): TunChannel {
  let peer: { uid: number };
  try {
    peer = addon.peerCredentials(socket);
  } catch (e) {
    return { ok: false, reason: `stdin is not a Unix socket (${errorCode(e)}), so the TUN cannot be handed over` };
  }
  if (pkexecUid !== undefined && peer.uid !== pkexecUid) {
    // pkexec authorized uid X; a socket made by someone else must not receive X's TUN.
    return {
      ok: false,
      reason: `the socket on stdin was made by uid ${peer.uid}, not by the calling user (${pkexecUid})`,
    };
  }
  return {
    ok: true,
    peerUid: peer.uid,
    handOver(name, offload) {
      let opened: { fd: number; vnet: boolean };
      try {
        opened = addon.openDevice(name, offload);
      } catch (e) {
        return { ok: false, error: { code: 'failed', message: `opening ${name}: ${errorMessage(e)}` } };
      }
      try {
        addon.sendFd(socket, opened.fd, name);
      } catch (e) {
        return { ok: false, error: { code: 'failed', message: `handing ${name} over: ${errorMessage(e)}` } };
      } finally {
        // The engine holds its own reference now (or nobody does); ours would keep the queue attached.
        addon.closeFd(opened.fd);
      }
      return { ok: true, value: { vnet: opened.vnet } };
    },
  };
}

function errorCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'error';
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
