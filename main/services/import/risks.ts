// What in an imported profile weakens TLS or authentication. A file from someone else — a colleague's
// export, a phonebook from a ticket — can carry `insecure`, a pin to a certificate of its author's
// choosing, a CA of its own, PAP or a no-authentication opt-in; saved silently, it would quietly turn
// the user's checks off. Every importer's drafts go through this one list (the Causeway format too),
// and the preview shows each item and asks before saving (backend/import-handlers.ts).
import type { ProfileDraft } from '../../contract/profile.js';

export type ImportRiskField =
  | 'tls.insecure'
  | 'tls.pinnedSha256'
  | 'tls.caFile'
  | 'eapTrust.pinnedSha256'
  | 'eapTrust.caFile'
  | 'authMethods.pap'
  | 'authMethods.chap'
  | 'allowNoAuthentication';

export interface ImportRisk {
  readonly field: ImportRiskField;
  /** For a person: what the setting does and what it costs. */
  readonly message: string;
}

/** In the order a person should read them: the worst first. */
export function importRisks(draft: ProfileDraft): ImportRisk[] {
  const out: ImportRisk[] = [];
  const tls = draft.tls;
  if (tls?.insecure === true) {
    out.push({
      field: 'tls.insecure',
      message:
        'Accepts any server certificate ("insecure"): anyone on the network path can pose as the server and read the sign-in.',
    });
  }
  if (draft.allowNoAuthentication === true) {
    out.push({
      field: 'allowNoAuthentication',
      message: 'Accepts a server that asks for no authentication: nothing then proves it is your server.',
    });
  }
  if (tls?.pinnedSha256 !== undefined) {
    out.push({
      field: 'tls.pinnedSha256',
      message: `Trusts exactly the certificate with SHA-256 ${tls.pinnedSha256} instead of checking who issued it. Keep it only if your administrator gave you this fingerprint.`,
    });
  }
  if (tls?.caFile !== undefined) {
    out.push({
      field: 'tls.caFile',
      message: `Trusts the CA certificate(s) in ${tls.caFile} for this server. Keep it only if that file comes from your administrator.`,
    });
  }
  // The sign-in (EAP) server's certificate: a pin or CA chosen by the file's author lets their server
  // receive the EAP-TLS handshake or, with PEAP, the password's MS-CHAPv2 exchange.
  if (draft.eapTrust?.pinnedSha256 !== undefined) {
    out.push({
      field: 'eapTrust.pinnedSha256',
      message: `Trusts exactly the sign-in (EAP) server certificate with SHA-256 ${draft.eapTrust.pinnedSha256}. Keep it only if your administrator gave you this fingerprint.`,
    });
  }
  if (draft.eapTrust?.caFile !== undefined) {
    out.push({
      field: 'eapTrust.caFile',
      message: `Trusts the CA certificate(s) in ${draft.eapTrust.caFile} for the sign-in (EAP) server. Keep it only if that file comes from your administrator.`,
    });
  }
  const methods = draft.authMethods ?? [];
  if (methods.includes('pap')) {
    out.push({
      field: 'authMethods.pap',
      message: 'Allows PAP: the password itself is sent, readable by whoever holds a certificate this profile accepts.',
    });
  }
  if (methods.includes('chap')) {
    out.push({
      field: 'authMethods.chap',
      message:
        'Allows CHAP: the server does not prove it knows your password, and a captured exchange can be cracked offline.',
    });
  }
  // Only TLS 1.2 and 1.3 are allowed at all; below the 1.2 default the schema refuses. So "lowered" is
  // only possible relative to the source, which the importers warn about themselves.
  return out;
}
