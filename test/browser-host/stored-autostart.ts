// The browser host's "start at login": a browser tab cannot start anything at login, so the choice is
// only kept (in the host's data folder, so it survives a reload and a restart) and the UI says so.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../main/services/profiles/atomic-write.js';

export function storedAutostart(dataDir: string): { get(): Promise<boolean>; set(enabled: boolean): Promise<void> } {
  const file = join(dataDir, 'host-settings.json');
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
