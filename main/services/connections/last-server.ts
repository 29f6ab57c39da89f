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

function same(a: ServerRef, b: ServerRef): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port;
}

/** `servers` with `first` moved to the front when it is one of them. */
export function lastGoodFirst<S extends ServerRef>(servers: readonly S[], first: ServerRef | undefined): S[] {
  const i = first ? servers.findIndex((s) => same(s, first)) : -1;
  if (i <= 0) return [...servers];
  return [servers[i] as S, ...servers.slice(0, i), ...servers.slice(i + 1)];
}

export type RememberResult = { ok: true } | { ok: false; error: string };

export interface RememberedFirst<S extends ServerRef> {
  /** The profile's list in the order of the first try: the server that connected last time first. */
  readonly servers: readonly S[];
  /** "starting with host:port, the server that connected last time" when that server leads a list of several. */
  readonly notice?: string;
  /** Records the server that connected now; resolves once written (a failure is returned, never thrown). */
  remember(server: ServerRef): Promise<RememberResult>;
}

function describe(s: ServerRef): string {
  return `${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`;
}

/**
 * The one policy the app (server-failover.ts) and `causeway connect` share: a profile's list starts
 * with the server remembered for it, says so, and remembers the one that connects. Without a store
 * (a host given on the command line), or with a single server, the list stays as it is and nothing
 * is read or written.
 */
export async function rememberedServerFirst<S extends ServerRef>(
  store: LastServerStore | undefined,
  profileId: string,
  servers: readonly S[],
): Promise<RememberedFirst<S>> {
  const remembered = servers.length > 1 ? await store?.get(profileId) : undefined;
  const ordered = lastGoodFirst(servers, remembered);
  const first = ordered[0];
  const leads = remembered !== undefined && first !== undefined && same(first, remembered);
  return {
    servers: ordered,
    ...(leads ? { notice: `starting with ${describe(first)}, the server that connected last time` } : {}),
    // A list of one has no order to keep: nothing is written for it.
    remember: (server) =>
      store && servers.length > 1
        ? store.set(profileId, { host: server.host, port: server.port })
        : Promise.resolve({ ok: true }),
  };
}
