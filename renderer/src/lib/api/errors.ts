import type { ErrorEnvelope } from '$contract';

/** An unexpected failure reported by main (expected ones are values in results). */
export class BackendFailure extends Error {
  constructor(readonly envelope: ErrorEnvelope) {
    super(envelope.message);
    this.name = 'BackendFailure';
  }
}
