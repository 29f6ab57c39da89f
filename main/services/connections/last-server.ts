// The server of a profile's list that last connected, kept between runs (the app's and `causeway
// connect`'s): the next connect tries it first, so a pool whose first server is down does not cost
// a failed dial at every start. A small file beside the profiles; unreadable or stale means "none".
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../profiles/atomic-write.js';

const Entry = z.strictObject({ host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535) });
const FileSchema = z.strictObject({ version: z.literal(1), servers: z.record(z.string(), Entry) });

export interface ServerRef {
  readonly host: string;
  readonly port: number;
}

export class LastServerStore {
  // Writes one after another, so two quick connects cannot interleave read-modify-write.
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {}

  async get(profileId: string): Promise<ServerRef | undefined> {
    return (await this.read()).servers[profileId];
  }

  /** Records the good server; failures to write are returned, not thrown (the connection stands). */
  set(profileId: string, server: ServerRef): Promise<{ ok: true } | { ok: false; error: string }> {
    const next = this.chain.then(async () => {
      try {
        const file = await this.read();
        const servers = { ...file.servers, [profileId]: { host: server.host, port: server.port } };
        await writeFileAtomic(this.path, `${JSON.stringify({ version: 1, servers }, null, 2)}\n`);
        return { ok: true as const };
      } catch (e) {
        return { ok: false as const, error: String(e) };
      }
    });
    this.chain = next;
    return next;
  }

  private async read(): Promise<z.output<typeof FileSchema>> {
    try {
      const r = FileSchema.safeParse(JSON.parse(await readFile(this.path, 'utf8')));
      if (r.success) return r.data;
    } catch {
      // missing or not JSON: no server remembered
    }
    return { version: 1, servers: {} };
  }
}
