// What the editor may send besides the draft: secrets typed (to the keychain), secrets to forget, and a
// chosen CA file. Nothing here is ever filled from main: main tells only whether a secret is saved.
import type { PayloadInput } from '$contract';
import type { ChosenCa } from './ca-file';

export interface EditorSecrets {
  password: string;
  proxyPassword: string;
  pkcs12Passphrase: string;
  forgetPassword: boolean;
  forgetProxyPassword: boolean;
  forgetPkcs12Passphrase: boolean;
  ca: ChosenCa | null;
  /** A PEM private key file read in the renderer; main decrypts it and keeps it in the keychain only. */
  clientKey: { fileName: string; pem: string } | null;
  clientKeyPassphrase: string;
  forgetClientKey: boolean;
}

export function emptySecrets(): EditorSecrets {
  return {
    password: '',
    proxyPassword: '',
    pkcs12Passphrase: '',
    forgetPassword: false,
    forgetProxyPassword: false,
    forgetPkcs12Passphrase: false,
    ca: null,
    clientKey: null,
    clientKeyPassphrase: '',
    forgetClientKey: false,
  };
}

type Extras = Omit<PayloadInput<'profiles.create'>, 'draft'>;

export function secretsPayload(s: EditorSecrets): Extras {
  const forget: NonNullable<Extras['forget']> = [];
  if (s.forgetPassword) forget.push('password');
  if (s.forgetProxyPassword) forget.push('proxy-password');
  if (s.forgetPkcs12Passphrase) forget.push('pkcs12-passphrase');
  if (s.forgetClientKey) forget.push('client-key');
  return {
    ...(s.password !== '' ? { password: s.password } : {}),
    ...(s.proxyPassword !== '' ? { proxyPassword: s.proxyPassword } : {}),
    ...(s.pkcs12Passphrase !== '' ? { pkcs12Passphrase: s.pkcs12Passphrase } : {}),
    ...(forget.length > 0 ? { forget } : {}),
    ...(s.ca ? { ca: { fileName: s.ca.fileName, pem: s.ca.pem } } : {}),
    ...(s.clientKey
      ? {
          clientKey: {
            fileName: s.clientKey.fileName,
            pem: s.clientKey.pem,
            ...(s.clientKeyPassphrase !== '' ? { passphrase: s.clientKeyPassphrase } : {}),
          },
        }
      : {}),
  };
}
