// What a running `causeway connect` answers on its control socket: one JSON line in, one JSON line
// out (a `disconnect` answers once the teardown is complete). Both sides validate with these schemas.
import { z } from 'zod';

/** Lines longer than this are not requests; the connection is dropped. */
export const MAX_LINE_BYTES = 4096;

export const controlRequestSchema = z.discriminatedUnion('verb', [
  z.object({ verb: z.literal('status') }),
  z.object({ verb: z.literal('disconnect') }),
]);
export type ControlRequest = z.infer<typeof controlRequestSchema>;

const failureSchema = z.object({ phase: z.string(), code: z.string(), message: z.string() });

export const tunnelStatusSchema = z.object({
  pid: z.number().int(),
  /** The profile's name, or the host[:port] given to `connect`. */
  name: z.string(),
  profileId: z.string().nullable(),
  /** host:port of the server in use (with a server list: the one that connected). */
  server: z.string(),
  /** With a server list: the servers passed over before the one in use, and why. */
  skipped: z.array(z.object({ server: z.string(), reason: z.string() })).optional(),
  /** 'checking': was connected, not answered since a resume or network change; 'waiting-for-network': no route to the server. */
  state: z.enum(['connecting', 'connected', 'checking', 'reconnecting', 'waiting-for-network', 'disconnected']),
  interface: z.string().nullable(),
  ipv4: z.object({ address: z.string(), peer: z.string().nullable() }).nullable(),
  routes: z.array(z.string()),
  dns: z.array(z.string()),
  /** When `connect` started, and when the current session came up (ms since the epoch). */
  startedAt: z.number(),
  connectedAt: z.number().nullable(),
  reconnects: z.number().int(),
  bytes: z.object({ rx: z.number(), tx: z.number() }),
  packets: z.object({ rx: z.number(), tx: z.number() }),
  lastFailure: failureSchema.nullable(),
  /** The run's kill switch (absent: off); blocking: traffic is blocked right now (the tunnel is not up). */
  killSwitch: z.object({ mode: z.enum(['on', 'always']), blocking: z.boolean() }).optional(),
});
export type TunnelStatus = z.infer<typeof tunnelStatusSchema>;

export const controlResponseSchema = z.discriminatedUnion('reply', [
  z.object({ reply: z.literal('status'), tunnel: tunnelStatusSchema }),
  z.object({ reply: z.literal('disconnected'), name: z.string() }),
  z.object({ reply: z.literal('error'), message: z.string() }),
]);
export type ControlResponse = z.infer<typeof controlResponseSchema>;
