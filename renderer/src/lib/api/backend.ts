// The renderer's one dependency on its host: the Electron preload bridge when present, otherwise the
// browser host's WebSocket. Everything else in the renderer talks to `Backend` only.
import type { Backend, PreloadBridge } from '$contract';
import { electronBackend } from './electron';
import { websocketBackend } from './websocket';

declare global {
  interface Window {
    causeway?: PreloadBridge;
  }
}

export function connectBackend(): Backend {
  if (window.causeway) return electronBackend(window.causeway);
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  // The token is only needed once: keep it out of the address bar and history.
  history.replaceState(null, '', location.pathname);
  return websocketBackend(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
}
