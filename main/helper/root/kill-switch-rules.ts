// The kill switch's nftables ruleset, as the text `nft -f -` reads. Pure: the policy in, the script
// out. The helper owns one table, `inet causeway` (both families in one table, so an IPv6 packet
// cannot slip past an IPv4-only rule set). The script replaces that table in one transaction
// (create-if-missing, delete, create): there is never a moment with no table, or half a table.
//
// Why reject and not drop on the way out: a rejected connect() fails at once with "No route to host"
// (ICMP admin-prohibited, which the kernel reports as EHOSTUNREACH), so a browser or a mail client says
// "no network" instead of hanging for a TCP timeout, and nothing leaves the machine either way. On the
// way in we drop silently: a stranger probing us learns nothing. Forwarded traffic (containers, VMs,
// a shared connection) is filtered like our own: it would otherwise leave in clear around the tunnel.

/** Where the SSTP TCP connection goes: the server itself, or the HTTP/SOCKS proxy in front of it. */
export interface KillSwitchEndpoint {
  readonly family: 4 | 6;
  /** Canonical address text (the protocol's validators re-format what they accept). */
  readonly address: string;
  readonly port: number;
}

export interface KillSwitchPolicy {
  /** The tunnel's interface; absent until the helper has created it (nothing may use it before). */
  readonly tunnel?: string;
  /** Every address the connection may dial (all of a server's addresses, a server list, or the proxy). */
  readonly endpoints: readonly KillSwitchEndpoint[];
  /** RFC 1918, link-local, ULA and local multicast, for printers, NAS and casting. */
  readonly allowLan: boolean;
}

export const KILL_SWITCH_TABLE = 'causeway';
export const KILL_SWITCH_FAMILY = 'inet';

// The LAN as home and office networks use it. 169.254/16 and fe80::/10 are link-local; 224.0.0.0/24
// is link-local multicast (mDNS, IGMP), 239.255.255.250 SSDP; ff02::/16 IPv6 link-scope multicast.
export const LAN_IPV4 = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  '224.0.0.0/24',
  '239.255.255.250',
  '255.255.255.255',
] as const;
export const LAN_IPV6 = ['fc00::/7', 'fe80::/10', 'ff02::/16'] as const;

// IPv6 does not work on a link at all without neighbour discovery, and the server may be reached
// over IPv6: these never leave the link (RFC 4861 requires hop limit 255, which we insist on).
const ND_OUT = 'nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert';
const ND_IN = 'nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert';

/** The whole script: one atomic transaction that leaves exactly this table in place. */
export function killSwitchScript(policy: KillSwitchPolicy): string {
  const t = `${KILL_SWITCH_FAMILY} ${KILL_SWITCH_TABLE}`;
  return [
    // "add" is a no-op when the table exists, so the delete below never fails on a first arm.
    `add table ${t}`,
    `delete table ${t}`,
    `table ${t} {`,
    ...chain('output', 'output', 'accept', outputRules(policy), 'reject with icmpx type admin-prohibited'),
    ...chain('input', 'input', 'drop', inputRules(policy), undefined),
    ...chain('forward', 'forward', 'accept', forwardRules(policy), 'reject with icmpx type admin-prohibited'),
    '}',
    '',
  ].join('\n');
}

/** Removes the table; fails (nft's "No such file or directory") when there is none. */
export function killSwitchRemoveScript(): string {
  return `delete table ${KILL_SWITCH_FAMILY} ${KILL_SWITCH_TABLE}\n`;
}

function chain(
  name: string,
  hook: string,
  policy: 'accept' | 'drop',
  rules: readonly string[],
  last: string | undefined,
): string[] {
  // Priority filter: a drop in any base chain of a hook is final, so ours holds whatever else
  // (ufw, docker, firewalld) accepts; and our accepts never open what they drop.
  return [
    `  chain ${name} {`,
    `    type filter hook ${hook} priority filter; policy ${policy};`,
    ...rules.map((r) => `    ${r}`),
    ...(last === undefined ? [] : [`    ${last}`]),
    '  }',
  ];
}

function outputRules(p: KillSwitchPolicy): string[] {
  return [
    'oifname "lo" accept',
    ...(p.tunnel === undefined ? [] : [`oifname ${quote(p.tunnel)} accept`]),
    ...p.endpoints.map((e) => `${ipKeyword(e)} daddr ${e.address} tcp dport ${e.port} accept`),
    'meta nfproto ipv4 udp sport 68 udp dport 67 accept',
    'meta nfproto ipv6 udp sport 546 udp dport 547 accept',
    `icmpv6 type { ${ND_OUT} } ip6 hoplimit 255 accept`,
    ...lanRules(p, 'daddr'),
  ];
}

function inputRules(p: KillSwitchPolicy): string[] {
  return [
    'iifname "lo" accept',
    ...(p.tunnel === undefined ? [] : [`iifname ${quote(p.tunnel)} accept`]),
    ...p.endpoints.map((e) => `${ipKeyword(e)} saddr ${e.address} tcp sport ${e.port} accept`),
    // ICMP errors about connections we were allowed to make (path MTU, unreachable) come from routers.
    'meta l4proto { icmp, ipv6-icmp } ct state related accept',
    'meta nfproto ipv4 udp sport 67 udp dport 68 accept',
    'meta nfproto ipv6 udp sport 547 udp dport 546 accept',
    `icmpv6 type { ${ND_IN} } ip6 hoplimit 255 accept`,
    ...lanRules(p, 'saddr'),
  ];
}

function forwardRules(p: KillSwitchPolicy): string[] {
  const tunnel =
    p.tunnel === undefined ? [] : [`oifname ${quote(p.tunnel)} accept`, `iifname ${quote(p.tunnel)} accept`];
  const lan = p.allowLan
    ? [
        `ip saddr { ${LAN_IPV4.join(', ')} } ip daddr { ${LAN_IPV4.join(', ')} } accept`,
        `ip6 saddr { ${LAN_IPV6.join(', ')} } ip6 daddr { ${LAN_IPV6.join(', ')} } accept`,
      ]
    : [];
  return [...tunnel, ...lan];
}

function lanRules(p: KillSwitchPolicy, dir: 'saddr' | 'daddr'): string[] {
  if (!p.allowLan) return [];
  return [`ip ${dir} { ${LAN_IPV4.join(', ')} } accept`, `ip6 ${dir} { ${LAN_IPV6.join(', ')} } accept`];
}

function ipKeyword(e: KillSwitchEndpoint): 'ip' | 'ip6' {
  return e.family === 4 ? 'ip' : 'ip6';
}

/** Interface names are IFNAME-checked by the protocol; quoting keeps nft from reading one as a keyword. */
function quote(name: string): string {
  return `"${name}"`;
}
