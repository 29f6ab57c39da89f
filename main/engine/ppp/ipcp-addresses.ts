// What a server may assign over IPCP and still give a working tunnel. A hostile or misconfigured
// server could hand out loopback (the client would route its own local traffic into the tunnel),
// multicast/broadcast (no host can have it) or the server's own transport address (the tunnel would
// capture the very connection that carries it), or the gateway of the client's own network (see
// transport/lan-gateways.ts). Wording lives here, beside the rules it explains.

/** Why an IPv4 address cannot be a tunnel endpoint, or undefined when it can. */
function unusable(text: string): string | undefined {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return 'not an IPv4 address';
  const [a = 0] = parts;
  if (parts.every((p) => p === 0)) return 'the unspecified address';
  if (a === 127) return 'a loopback address';
  if (parts.every((p) => p === 255)) return 'the broadcast address';
  if (a >= 224 && a <= 239) return 'a multicast address';
  if (a >= 240) return 'a reserved address';
  return undefined;
}

export interface IpcpAssignment {
  readonly local: string;
  readonly peer: string | null;
  readonly dns: readonly string[];
}

export type IpcpCheck =
  | { readonly ok: true; readonly dns: readonly string[]; readonly droppedDns: readonly string[] }
  | { readonly ok: false; readonly message: string };

/**
 * `serverAddress`: the transport's destination when it is known as an address (undefined behind a
 * proxy or when dialling a name). `lanGateways`: the gateways of this computer's own routes when the
 * attempt started (SessionConfig.lanGateways). Unusable DNS servers are dropped, not fatal: the
 * tunnel still works.
 */
export function checkIpcpAssignment(
  a: IpcpAssignment,
  serverAddress: string | undefined,
  lanGateways: readonly string[] = [],
): IpcpCheck {
  const local = unusable(a.local);
  if (local !== undefined) {
    return {
      ok: false,
      message: `The server assigned ${a.local} to this computer, which is ${local}: no tunnel can work with it. The server's address pool is misconfigured; tell its administrator.`,
    };
  }
  if (serverAddress !== undefined && a.local === serverAddress) {
    return {
      ok: false,
      message: `The server assigned ${a.local} to this computer, which is the server's own address: the tunnel would capture its own connection. The server's address pool is misconfigured; tell its administrator.`,
    };
  }
  if (lanGateways.includes(a.local)) {
    return {
      ok: false,
      message: `The server assigned ${a.local} to this computer, which is the gateway of your own network (the router this computer reaches other networks through): the tunnel would take over the router's address. The server's address pool overlaps your network; tell its administrator, or connect from another network.`,
    };
  }
  if (a.peer !== null && lanGateways.includes(a.peer)) {
    return {
      ok: false,
      message: `The server announced ${a.peer} as its tunnel address, which is the gateway of your own network: its route would pull the router, and with it the connection to the VPN server, into the tunnel. The server's address pool overlaps your network; tell its administrator, or connect from another network.`,
    };
  }
  const peer = a.peer === null ? undefined : unusable(a.peer);
  if (peer !== undefined) {
    return {
      ok: false,
      message: `The server announced ${a.peer ?? ''} as its tunnel address, which is ${peer}. The server is misconfigured; tell its administrator.`,
    };
  }
  const dns = a.dns.filter((d) => unusable(d) === undefined);
  return { ok: true, dns, droppedDns: a.dns.filter((d) => !dns.includes(d)) };
}
