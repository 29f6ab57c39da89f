// The backend over Electron IPC: one invoke channel through the contract's dispatcher (payload
// validation) with the sender frame checked, and events pushed to our window only.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { IPC_EVENT, IPC_INVOKE } from '../contract/envelope.js';
import type { MainBackend } from '../backend/index.js';
import { isTrustedSender } from './sender.js';

export function bindIpc(
  backend: MainBackend,
  getWindow: () => BrowserWindow | undefined,
  pageUrl: string,
  log: (m: string) => void,
): () => void {
  const dispatch = backend.dispatcher<IpcMainInvokeEvent>({
    isTrustedSender: (e) => {
      const win = getWindow();
      return isTrustedSender(
        {
          frameUrl: e.senderFrame?.url,
          isMainFrame: e.senderFrame?.parent === null,
          fromOurWindow: !!win && e.sender.id === win.webContents.id,
        },
        pageUrl,
      );
    },
    onInternalError: (channel, error) =>
      log(`${channel}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
  });
  ipcMain.handle(IPC_INVOKE, (event, channel: unknown, payload: unknown) => dispatch(event, channel, payload));
  const stop = backend.subscribe((m) => {
    const win = getWindow();
    if (win && !win.isDestroyed()) win.webContents.send(IPC_EVENT, m.event, m.data);
  });
  return () => {
    stop();
    ipcMain.removeHandler(IPC_INVOKE);
  };
}
