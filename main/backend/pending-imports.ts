// Parsed import files waiting for "save". The renderer sees the drafts and whether each carried a
// password; the passwords themselves stay here until they go to the keychain, and expire with the preview.
import { randomUUID } from 'node:crypto';
import type { ImportedProfile } from '../services/import/types.js';

const TTL_MS = 30 * 60_000;
const MAX_PENDING = 8;

interface Pending {
  readonly profiles: readonly ImportedProfile[];
  readonly at: number;
}

export class PendingImports {
  private readonly map = new Map<string, Pending>();

  constructor(private readonly now: () => number = Date.now) {}

  put(profiles: readonly ImportedProfile[]): string {
    this.sweep();
    const id = randomUUID();
    this.map.set(id, { profiles, at: this.now() });
    while (this.map.size > MAX_PENDING) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
    return id;
  }

  take(id: string): readonly ImportedProfile[] | undefined {
    this.sweep();
    const p = this.map.get(id);
    this.map.delete(id);
    return p?.profiles;
  }

  private sweep(): void {
    const limit = this.now() - TTL_MS;
    for (const [id, p] of this.map) if (p.at < limit) this.map.delete(id);
  }
}
