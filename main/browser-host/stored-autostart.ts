// The browser host's "start at login": a browser tab cannot start anything at login, so the choice is
// only kept (in the data home's config folder, so it survives a reload and a restart) and the UI says so.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../services/profiles/atomic-write.js';

export const HOST_SETTINGS_FILE = 'host-settings.json';

export function storedAutostart(configDir: string): { get(): Promise<boolean>; set(enabled: boolean): Promise<void> } {
  const file = join(configDir, HOST_SETTINGS_FILE);
  return {
    async get() {
      const text = await readFile(file, 'utf8').catch(() => null);
      if (text === null) return false;
      try {
        return (JSON.parse(text) as { autostart?: unknown }).autostart === true;
      } catch {
        return false;
      }
    },
    async set(enabled) {
      await writeFileAtomic(file, `${JSON.stringify({ version: 1, autostart: enabled })}\n`);
    },
  };
}
