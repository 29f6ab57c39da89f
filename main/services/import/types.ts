// The values every importer returns. Importers are pure: bytes in, drafts + secrets + diagnostics out.
// Nothing here touches the profile store or the keychain; the caller decides what to save.
import type { ProfileDraft } from '../../contract/profile.js';

export type ImportFormat = 'pbk' | 'nmconnection' | 'mikrotik' | 'sstpc' | 'causeway';

export const IMPORT_FORMATS: readonly ImportFormat[] = ['pbk', 'nmconnection', 'mikrotik', 'sstpc', 'causeway'];

/** Secrets found in the source. The caller puts them in the keychain; they never go into a profile. */
export interface ImportSecrets {
  password?: string;
  proxyPassword?: string;
}

export interface SourceLocation {
  /** The file's base name, made safe to print. */
  readonly file: string;
  /** 1-based line where the entry starts; 0 when the whole file is meant. */
  readonly line: number;
}

export interface ImportedProfile {
  readonly draft: ProfileDraft;
  readonly secrets: ImportSecrets;
  readonly source: SourceLocation;
}

export interface Diagnostic extends SourceLocation {
  /** What happened, without the location. Quoted values from the file are escaped and shortened. */
  readonly message: string;
  /** `file:line: message`, ready to print. */
  readonly text: string;
}

export type ImportWarning = Diagnostic;

export type ImportError =
  | (Diagnostic & { readonly code: 'too-large'; readonly size: number; readonly limit: number })
  | (Diagnostic & { readonly code: 'not-text' })
  | (Diagnostic & { readonly code: 'unknown-format' })
  | (Diagnostic & { readonly code: 'malformed' })
  | (Diagnostic & { readonly code: 'not-sstp' })
  | (Diagnostic & { readonly code: 'contains-secret' })
  | (Diagnostic & { readonly code: 'unsupported-version' })
  // Nothing importable: the warnings say why each entry was skipped.
  | (Diagnostic & { readonly code: 'no-profiles'; readonly warnings: readonly ImportWarning[] });

export type ImportErrorCode = ImportError['code'];

export type ImportResult =
  | {
      readonly ok: true;
      readonly format: ImportFormat;
      readonly profiles: readonly ImportedProfile[];
      readonly warnings: readonly ImportWarning[];
    }
  | { readonly ok: false; readonly error: ImportError };

/** Bounds that keep hostile input from costing much: checked before any parsing. */
export const LIMITS = {
  /** Real phonebooks and exports are a few kB; a megabyte is generous. */
  maxBytes: 1024 * 1024,
  maxProfiles: 500,
  /** Past this, one summary warning says how many more there were. */
  maxWarnings: 100,
  /** How much of a value from the file a message quotes. */
  maxQuoted: 60,
} as const;
