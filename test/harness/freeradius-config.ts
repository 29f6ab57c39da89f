// The parts of the private FreeRADIUS configuration we write ourselves (the rest is Debian's raddb):
// the users file and the EAP module. Kept apart from the process handling in freeradius.ts.

/** mods-config/files/authorize: one cleartext password per user (MS-CHAPv2 needs the clear text or NT hash). */
export function freeradiusUsers(users: Readonly<Record<string, string>>): string {
  return Object.entries(users)
    .map(([name, password]) => `"${quote(name)}" Cleartext-Password := "${quote(password)}"\n`)
    .join('');
}

export interface EapModuleOptions {
  readonly certdir: string;
  readonly defaultEapType: 'peap' | 'mschapv2' | 'tls';
}

/**
 * mods-enabled/eap: EAP-MSCHAPv2, EAP-TLS and PEAP (EAP-MSCHAPv2 inside, through Debian's inner-tunnel
 * site). TLS 1.2 only: PEAPv0 key derivation with TLS 1.3 is not what Windows or RRAS/NPS speak.
 * No session cache, so every test runs the full handshake.
 */
export function freeradiusEapModule(o: EapModuleOptions): string {
  return `eap {
\tdefault_eap_type = ${o.defaultEapType}
\ttimer_expire = 60
\tignore_unknown_eap_types = no
\tcisco_accounting_username_bug = no
\tmax_sessions = \${max_requests}
\tmschapv2 {
\t\tsend_error = yes
\t}
\ttls-config tls-common {
\t\tprivate_key_file = ${o.certdir}/cw-server.key
\t\tcertificate_file = ${o.certdir}/cw-server.pem
\t\tca_file = ${o.certdir}/cw-client-ca.pem
\t\tcipher_list = "DEFAULT"
\t\tcipher_server_preference = no
\t\ttls_min_version = "1.2"
\t\ttls_max_version = "1.2"
\t\tecdh_curve = ""
\t\tcache {
\t\t\tenable = no
\t\t}
\t\tverify {
\t\t}
\t}
\ttls {
\t\ttls = tls-common
\t}
\tpeap {
\t\ttls = tls-common
\t\tdefault_eap_type = mschapv2
\t\tcopy_request_to_tunnel = no
\t\tuse_tunneled_reply = no
\t\tvirtual_server = "inner-tunnel"
\t}
}
`;
}

function quote(s: string): string {
  if (/["\\\n\r]/.test(s))
    throw new Error(`FreeRADIUS test users: ${JSON.stringify(s)} needs no quotes or backslashes`);
  return s;
}

/**
 * sites-enabled/default and inner-tunnel, cut down from Debian's to what EAP needs: one auth
 * listener on our port (none for accounting, none for inner-tunnel's fixed 18120, so several
 * servers can run at once), users from the files module, EAP-MSCHAPv2 through Auth-Type MS-CHAP.
 */
export function freeradiusSites(port: number): { readonly outer: string; readonly inner: string } {
  const common = `\tauthorize {
\t\tfilter_username
\t\tmschap
\t\teap {
\t\t\tok = return
\t\t}
\t\tfiles
\t\tpap
\t}
\tauthenticate {
\t\tAuth-Type PAP {
\t\t\tpap
\t\t}
\t\tAuth-Type MS-CHAP {
\t\t\tmschap
\t\t}
\t\teap
\t}
`;
  const outer = `server default {
\tlisten {
\t\ttype = auth
\t\tipaddr = 127.0.0.1
\t\tport = ${port}
\t}
${common}\tpost-auth {
\t\tremove_reply_message_if_eap
\t\tPost-Auth-Type REJECT {
\t\t\tattr_filter.access_reject
\t\t\teap
\t\t\tremove_reply_message_if_eap
\t\t}
\t}
}
`;
  const inner = `server inner-tunnel {
${common}\tpost-auth {
\t\tPost-Auth-Type REJECT {
\t\t\tattr_filter.access_reject
\t\t}
\t}
}
`;
  return { outer, inner };
}
