// Reading a chosen CA file in the renderer: PEM text as it is; a DER certificate (.cer/.der is often
// binary) wrapped into PEM so main takes one form. Main decides whether it is a certificate.
export interface ChosenCa {
  readonly fileName: string;
  readonly pem: string;
}

const MAX_BYTES = 1_000_000;

export async function readCertificateFile(
  file: File,
): Promise<{ ok: true; file: ChosenCa } | { ok: false; message: string }> {
  if (file.size > MAX_BYTES)
    return { ok: false, message: `${file.name} is larger than 1 MB; a CA file is a few kilobytes.` };
  const bytes = new Uint8Array(await file.arrayBuffer());
  const text = new TextDecoder('latin1').decode(bytes);
  if (text.includes('-----BEGIN')) return { ok: true, file: { fileName: file.name, pem: text } };
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const b64 = (btoa(bin).match(/.{1,64}/g) ?? []).join('\n');
  return {
    ok: true,
    file: { fileName: file.name, pem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n` },
  };
}
