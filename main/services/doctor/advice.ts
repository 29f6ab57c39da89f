// What a failure means and what to do about it: the doctor's words, in one place. The engine's own
// failure message says what happened; this adds the likely cause behind it and the next step, using
// the detail the engine kept (TLS verify code, HTTP status, proxy auth schemes, binding hashes).
import type { Advice, DoctorFailure } from '../../contract/doctor.js';
import type { CertificateInfo } from '../../engine/certificate-info.js';
import type { AuthAnswer } from '../../engine/transport/proxy-auth.js';

export interface AdviceContext {
  readonly failure: DoctorFailure;
  readonly certificate?: CertificateInfo;
  /** The crypto binding hashes the server offered, when it got that far ('SHA1', 'SHA256', 'SHA1|SHA256'). */
  readonly offeredHashes?: string;
  readonly viaProxy: boolean;
  /** The phase that was running when the connection dropped (for connection-lost). */
  readonly lostIn?: string;
}

const advice = (id: string, meaning: string, action: string): Advice => ({ id, meaning, action });

// The schemes the engine answers a proxy's 407 with (transport/proxy-auth.ts): the Record makes a scheme
// added there a compile error here until the advice names it too.
type SpokenProxyScheme = Extract<AuthAnswer, { ok: true }>['scheme'];
const SPOKEN: Record<SpokenProxyScheme, true> = { Digest: true, Basic: true };
const SPOKEN_PROXY_SCHEMES = Object.keys(SPOKEN);

/** A scheme name where the engine's detail lists the challenges ("…; Proxy-Authenticate: NTLM, Negotiate"). */
const schemeIn = (names: readonly string[]) => new RegExp(`(?:^|[:,])\\s*(?:${names.join('|')})\\b`, 'i');
const WINDOWS_SCHEME = schemeIn(['NTLM', 'Negotiate', 'Kerberos']);
const SPOKEN_SCHEME = schemeIn(SPOKEN_PROXY_SCHEMES);

/** The 407 offered NTLM/Negotiate/Kerberos and nothing the engine can answer (Digest, Basic). */
export function offersOnlyWindowsProxyAuth(detail: string): boolean {
  return WINDOWS_SCHEME.test(detail) && !SPOKEN_SCHEME.test(detail);
}

export function adviceFor(ctx: AdviceContext): Advice {
  const f = ctx.failure;
  const detail = f.detail ?? '';
  const fp = ctx.certificate?.sha256 ?? '(see the certificate details)';
  switch (f.code) {
    case 'network-unreachable':
      if (f.phase === 'dns')
        return advice(
          'dns-failed',
          'The server name could not be turned into an address.',
          'Check the spelling of the server name and that this machine has working DNS (try the address instead of the name).',
        );
      if (/ECONNREFUSED/.test(detail))
        return advice(
          'port-closed',
          'The server machine answered, but nothing listens on that port: no SSTP service there.',
          'Check the port (SSTP uses 443 unless the administrator says otherwise) and that the VPN service is running on the server.',
        );
      if (/ETIMEDOUT|timeout/i.test(detail))
        return advice(
          'tcp-timeout',
          'Nothing answered: the server is down, or a firewall silently drops the connection.',
          'Check that you are on a network that can reach the server (some networks block outgoing connections), or try through a proxy.',
        );
      return advice(
        'network-unreachable',
        'No route to the server from this machine.',
        'Check this machine’s network connection and the server address.',
      );
    case 'proxy-failed':
      return advice(
        'proxy-refused',
        'The proxy would not open a tunnel to the VPN server.',
        'Check the proxy address, and ask its administrator to allow CONNECT to the VPN server’s port.',
      );
    case 'proxy-auth-failed':
      if (offersOnlyWindowsProxyAuth(detail))
        return advice(
          'proxy-ntlm',
          `The proxy wants NTLM or Kerberos (Windows) authentication, which Causeway does not support; it signs in to a proxy with ${SPOKEN_PROXY_SCHEMES.join(' or ')}.`,
          `Ask the proxy administrator to allow ${SPOKEN_PROXY_SCHEMES.join(' or ')} authentication or an exception for the VPN server, or use a network without this proxy.`,
        );
      return advice(
        'proxy-credentials',
        'The proxy asked for a user name and password (HTTP 407) and did not accept the ones given.',
        'Enter the proxy user name and password in the profile’s proxy settings (they are not the VPN password).',
      );
    case 'certificate-pin-mismatch':
      return advice(
        'certificate-changed',
        'The server presented a different certificate from the one you trusted. Either the administrator replaced it, or someone is intercepting the connection.',
        `Do not connect until your administrator confirms the new fingerprint ${fp}; then trust it again.`,
      );
    case 'certificate-untrusted':
      if (/ALTNAME|does not match|not for/i.test(detail + f.message))
        return advice(
          'certificate-wrong-name',
          'The certificate is valid but issued for another name than the one you connect to.',
          'Use the server name the certificate names, or set the TLS server name (SNI) in the profile.',
        );
      if (/EXPIRED|NOT_YET_VALID/.test(detail))
        return advice(
          'certificate-dates',
          'The certificate is outside its validity dates (expired, or this machine’s clock is wrong).',
          'Check this machine’s date and time; if it is right, the administrator must renew the certificate.',
        );
      if (/SELF_SIGNED/.test(detail))
        return advice(
          'certificate-self-signed',
          'The server uses a self-signed certificate, which no authority vouches for.',
          `Compare the fingerprint ${fp} with the one your administrator gave you, then trust it (pin) for this profile.`,
        );
      return advice(
        'certificate-unknown-ca',
        'The server’s certificate is signed by an authority (CA) this machine does not know.',
        `Compare the fingerprint ${fp} with the one your administrator gave you and trust it, or import the CA file your administrator provides.`,
      );
    case 'tls-failed':
      if (/version/i.test(f.message))
        return advice(
          'tls-version',
          'The server and this profile share no TLS version (old servers stop at TLS 1.0/1.1).',
          'Ask the administrator to enable TLS 1.2; lower the profile’s minimum only on a network you trust.',
        );
      if (/client certificate/i.test(f.message))
        return advice(
          'tls-client-certificate',
          'The server wants a client certificate, or refused the one given.',
          'Add the client certificate (PKCS#12) your administrator issued to the profile.',
        );
      return advice(
        'tls-failed',
        'The TLS handshake failed before any certificate was judged: the port may not be an SSTP server, or a middlebox interferes.',
        'Check the address and port; try another network. The trace below shows where it stopped.',
      );
    case 'http-refused':
      if (/\b40[04]\b/.test(detail))
        return advice(
          'http-host-check',
          'The web server answered but does not offer SSTP under the name used. Some servers (accel-ppp, IIS bindings) only answer the SSTP request for their configured host name.',
          'Connect with the exact server name the administrator gave you (not an address), or set the TLS server name (SNI) to it.',
        );
      return advice(
        'http-refused',
        'The server refused to start SSTP.',
        'Ask the administrator whether SSTP is enabled for your account; the status is in the detail.',
      );
    case 'sstp-negotiation-failed':
      if (/hash|binding/i.test(detail) && ctx.offeredHashes !== undefined && !ctx.offeredHashes.includes('SHA256'))
        return advice(
          'binding-sha1-only',
          'The server refuses SHA-256 crypto binding: this looks like Windows RRAS before 2012 (or a server configured for SHA-1 only).',
          'Allow SHA-1 binding for this server if your policy permits, or ask the administrator to update the server.',
        );
      return advice(
        'sstp-negotiation',
        'The server accepted the connection but would not start an SSTP call.',
        'The server may not allow SSTP for this account, or be overloaded; try later or ask the administrator.',
      );
    case 'auth-method-refused':
      return advice(
        'auth-method',
        'The server and this profile have no authentication method in common.',
        'Allow the method the server asks for in the profile (the trace shows what it proposed), or ask the administrator which one it uses.',
      );
    case 'auth-failed':
      return advice(
        'auth-credentials',
        'The server rejected the user name or password.',
        'Check the user name (some servers need DOMAIN\\user or user@HUB) and retype the password; an account can also be locked or expired.',
      );
    case 'server-auth-failed':
      return advice(
        'server-auth',
        'The server could not prove it knows your password (MS-CHAPv2 authenticator): it may not be the real server.',
        'Do not retry on this network; tell your administrator.',
      );
    case 'ppp-negotiation-failed':
      return advice(
        'ppp-negotiation',
        'The server and Causeway could not agree on PPP options (link or addresses).',
        'Send the compatibility report to the administrator: the trace lists what each side proposed and refused.',
      );
    case 'negotiation-timeout':
      return advice(
        'negotiation-timeout',
        `The server stopped answering during ${f.phase}.`,
        'Try again; if it repeats, the server may be overloaded or dropping this client. Send the report to the administrator.',
      );
    case 'connection-lost':
      return advice(
        'connection-lost',
        `The connection broke during ${ctx.lostIn ?? f.phase}: the server went away, restarted, or a network device cut it.`,
        'Try again; if it always breaks at the same phase, send the report to the administrator.',
      );
    case 'peer-abort':
    case 'peer-disconnect':
      return advice(
        'peer-ended',
        'The server ended the call itself.',
        'The server’s logs say why; try again or ask the administrator.',
      );
    case 'dead-peer':
      return advice('dead-peer', 'The server stopped answering keep-alives.', 'Check the network path; reconnect.');
    case 'data-path-failed':
      return advice(
        'data-path',
        'The tunnel came up, but the server’s tunnel address did not answer a ping. Many servers block ICMP, so traffic may still work.',
        'Try opening something behind the VPN; if nothing works, ask the administrator about routes and firewalls for VPN clients.',
      );
    case 'protocol-error':
      return advice(
        'protocol-error',
        'The server sent something that does not follow SSTP/PPP.',
        'Send the compatibility report to the administrator or to Causeway’s developers.',
      );
    case 'cancelled':
      return advice('cancelled', 'The check was stopped before it finished.', 'Run it again.');
  }
}
