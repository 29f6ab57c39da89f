import { dialog, type BrowserWindow } from 'electron';

export async function exportDialog(win: BrowserWindow | undefined, suggestedName: string): Promise<string | null> {
  const opts = { defaultPath: suggestedName, filters: [{ name: 'Text', extensions: ['log', 'txt'] }] };
  const r = win && !win.isDestroyed() ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
  return r.canceled || !r.filePath ? null : r.filePath;
}
