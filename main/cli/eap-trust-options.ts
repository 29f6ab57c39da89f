// --eap-pin / --eap-ca / --eap-server-name for one run of `test` or `connect`: the sign-in (EAP)
// server's certificate, presented inside EAP-TLS / PEAP. Over a profile's eapTrust, field by field.
import type { Result } from '../engine/result.js';
import { readFileSync } from 'node:fs';
import type { EapTrust, TrustPolicy } from '../engine/config.js';
import { normaliseFingerprint } from '../engine/transport/certificate.js';

type Parsed<T> = Result<T, string>;

export interface EapTrustFlags {
  eapPin?: string;
  eapCa?: string;
  eapServerName?: string;
}

type Override = { pinSha256?: string; caPem?: string; serverName?: string };

export function parseEapTrustFlags(o: EapTrustFlags): Parsed<Override | undefined> {
  if (o.eapPin === undefined && o.eapCa === undefined && o.eapServerName === undefined)
    return { ok: true, value: undefined };
  const out: Override = {};
  if (o.eapPin !== undefined) {
    const pin = normaliseFingerprint(o.eapPin);
    if (!pin) return { ok: false, error: '--eap-pin must be sha256: followed by 64 hex digits (colons allowed)' };
    out.pinSha256 = pin;
  }
  if (o.eapCa !== undefined) {
    let pem: string;
    try {
      pem = readFileSync(o.eapCa, 'utf8');
    } catch (e) {
      return { ok: false, error: `cannot read the EAP CA file ${o.eapCa}: ${(e as Error).message}` };
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----'))
      return { ok: false, error: `${o.eapCa} holds no PEM certificate` };
    out.caPem = pem;
  }
  if (o.eapServerName !== undefined) out.serverName = o.eapServerName;
  return { ok: true, value: out };
}

/**
 * The run's EapTrust: the flags over the profile's (or, with none, the outer policy). A pin or CA from
 * the flags replaces the base policy as a whole; a name alone keeps it.
 */
export function withEapTrustFlags(
  base: EapTrust | undefined,
  over: Override | undefined,
  outer: TrustPolicy,
): EapTrust | undefined {
  if (over === undefined) return base;
  const start: EapTrust = base ?? outer;
  const { serverName: baseName, ...basePolicy } = start;
  const policy: TrustPolicy =
    over.pinSha256 !== undefined || over.caPem !== undefined
      ? {
          ...(over.caPem !== undefined ? { caPem: over.caPem } : {}),
          ...(over.pinSha256 !== undefined ? { pinSha256: over.pinSha256 } : {}),
        }
      : basePolicy;
  const name = over.serverName ?? (base !== undefined ? baseName : undefined);
  return { ...policy, ...(name !== undefined ? { serverName: name } : {}) };
}
