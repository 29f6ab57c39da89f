// What each of the helper's steps (routes, DNS, IPv6, the kill switch, the TUN hand-over) answers:
// the house's one Result, whose failure is what the request's answer carries (its code and message).
// Its own file so the step modules, which use one another, never import each other just for this.
import type { Result } from '../../engine/result.js';

export interface StepFailure {
  readonly code: 'failed' | 'refused';
  readonly message: string;
}

export type StepResult<T> = Result<T, StepFailure>;
