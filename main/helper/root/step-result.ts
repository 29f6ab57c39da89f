// What each of the helper's steps (routes, DNS, IPv6, the kill switch, the TUN hand-over) answers:
// a value, or a typed failure the request's answer carries. Its own file so the step modules, which
// use one another, never import each other just for this type.
export type StepResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: 'failed' | 'refused'; readonly message: string };
