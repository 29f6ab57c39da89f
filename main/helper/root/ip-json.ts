// Small type guards for what `ip -j` prints, read by a root process: only the fields we use, each
// checked for its type (an interface name also for its shape), everything else ignored. Hand-written
// rather than a schema library so the helper's bundle stays small.
import { IFNAME } from '../protocol.js';

export interface RouteEntry {
  /** "default", "10.1.0.0/16" or a host address without a prefix. */
  readonly dst?: string;
  readonly dev?: string;
  readonly gateway?: string;
  /** "unreachable", "blackhole"…; absent for a unicast route. */
  readonly type?: string;
  /** Absent for the main table. */
  readonly table?: string;
}

export interface RuleEntry {
  readonly priority: number;
  readonly table?: string;
  readonly suppressPrefixlen?: number;
}

/** The array `ip -j` printed, or undefined if it is not JSON or not an array. */
export function jsonArray(text: string): readonly unknown[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(o: Record<string, unknown>, key: string): string | undefined | null {
  const v = o[key];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : null;
}

/** Routes from `ip -j route show|get`; undefined when any entry is malformed (a device name that is not one). */
export function routeEntries(text: string): RouteEntry[] | undefined {
  const list = jsonArray(text);
  if (list === undefined) return undefined;
  const out: RouteEntry[] = [];
  for (const e of list) {
    if (!isRecord(e)) return undefined;
    const fields = {
      dst: optionalString(e, 'dst'),
      dev: optionalString(e, 'dev'),
      gateway: optionalString(e, 'gateway'),
      type: optionalString(e, 'type'),
      table: optionalString(e, 'table'),
    };
    if (Object.values(fields).some((v) => v === null)) return undefined;
    if (fields.dev !== undefined && fields.dev !== null && !IFNAME.test(fields.dev)) return undefined;
    const entry: { -readonly [K in keyof RouteEntry]: RouteEntry[K] } = {};
    for (const [k, v] of Object.entries(fields)) if (typeof v === 'string') entry[k as keyof RouteEntry] = v;
    out.push(entry);
  }
  return out;
}

/** Rules from `ip -j rule show`; malformed entries are skipped (we only look for ours). */
export function ruleEntries(text: string): RuleEntry[] | undefined {
  const list = jsonArray(text);
  if (list === undefined) return undefined;
  return list.flatMap((e) => {
    if (!isRecord(e) || typeof e.priority !== 'number') return [];
    return [
      {
        priority: e.priority,
        ...(typeof e.table === 'string' ? { table: e.table } : {}),
        ...(typeof e.suppress_prefixlen === 'number' ? { suppressPrefixlen: e.suppress_prefixlen } : {}),
      },
    ];
  });
}

/** The names of `ip -j link show`'s links; undefined when the output is not that shape. */
export function linkNames(text: string): Set<string> | undefined {
  const list = jsonArray(text);
  if (list === undefined) return undefined;
  const names = new Set<string>();
  for (const l of list) {
    const name = isRecord(l) ? l.ifname : undefined;
    if (typeof name !== 'string') return undefined;
    names.add(name);
  }
  return names;
}

/** The interface index from `ip -j link show dev NAME`. */
export function linkIndex(text: string): number | undefined {
  const first = jsonArray(text)?.[0];
  if (!isRecord(first)) return undefined;
  const i = first.ifindex;
  return typeof i === 'number' && Number.isInteger(i) && i > 0 ? i : undefined;
}

/** `ip -j -d link show`: the link's kind ("tun", "veth"…). */
export function linkKind(text: string): string | undefined {
  const first = jsonArray(text)?.[0];
  if (!isRecord(first) || !isRecord(first.linkinfo)) return undefined;
  const kind = first.linkinfo.info_kind;
  return typeof kind === 'string' ? kind : undefined;
}

/** The prefix length a route's `dst` covers: "default" is 0, a bare address is a host route. */
export function dstPrefix(dst: string | undefined, family: 4 | 6): number | undefined {
  if (dst === undefined) return undefined;
  if (dst === 'default') return 0;
  const slash = dst.indexOf('/');
  if (slash < 0) return family === 4 ? 32 : 128;
  const n = Number(dst.slice(slash + 1));
  return Number.isInteger(n) ? n : undefined;
}
