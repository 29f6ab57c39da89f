// What we tell a person about a server certificate so they can decide whether to trust it.

export interface CertificateInfo {
  readonly subject: string; // e.g. "CN=sstp.example.test, O=Example"
  readonly issuer: string;
  readonly serialNumber: string; // hex
  readonly validFrom: string; // ISO 8601
  readonly validTo: string; // ISO 8601
  readonly subjectAltNames: readonly string[]; // "DNS:host", "IP:10.0.0.1"
  /** SHA-256 of the DER, upper-case hex pairs joined by ':' (the form browsers show). */
  readonly sha256: string;
  readonly selfSigned: boolean;
}
