// The renderer's only door to main: two functions on window.causeway, nothing else of Electron.
// CommonJS because sandboxed preloads cannot be ES modules.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

// Duplicated from main/contract/envelope.ts: a sandboxed preload cannot require project modules.
const IPC_INVOKE = 'causeway:invoke';
const IPC_EVENT = 'causeway:event';

contextBridge.exposeInMainWorld('causeway', {
  invoke: (channel: string, payload: unknown): Promise<unknown> => ipcRenderer.invoke(IPC_INVOKE, channel, payload),
  onEvent: (listener: (event: string, data: unknown) => void): (() => void) => {
    const l = (_e: IpcRendererEvent, event: string, data: unknown) => listener(event, data);
    ipcRenderer.on(IPC_EVENT, l);
    return () => void ipcRenderer.removeListener(IPC_EVENT, l);
  },
});
