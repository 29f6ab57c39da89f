// The one shape for "a value, or a typed failure" that stores, parsers and decoders return instead of
// throwing: callers narrow on `ok`, and the error type says every way it can fail. Each room names
// its own alias (CredentialResult, StoreResult, Decoded…) over this one generic, so the shape — and
// the code that handles it — is the same everywhere. In the engine because everything may import it.
export interface Success<T> {
  readonly ok: true;
  readonly value: T;
}

export interface Failure<E> {
  readonly ok: false;
  readonly error: E;
}

export type Result<T, E> = Success<T> | Failure<E>;
