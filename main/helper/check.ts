// Small typed validators for the helper's wire protocol and its state file. The helper runs as
// root in its own Node process, and zod alone cost it ~11.5 MB of its ~60 MB resident set (issue
// 17), so the few shapes it needs are checked here: each check returns the parsed value or the
// first bad field (`path: reason`), never echoing the offending value. A check also carries the
// type a caller writes (In) beside the parsed one (Out), so the client derives its argument types
// from the same definitions the helper validates with.

export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly path: string; readonly message: string };

export interface Check<Out, In = Out> {
  (value: unknown, path: string): Checked<Out>;
  /** Type only, never set: what a caller writes before parsing. */
  readonly __in?: In;
  /** Set by optional(): the field may be absent. */
  readonly optional?: true;
}

export type Output<C> = C extends Check<infer O, infer _I> ? O : never;
export type Input<C> = C extends Check<infer _O, infer I> ? I : never;

const pass = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = (path: string, message: string): Checked<never> => ({ ok: false, path: path || '(request)', message });

/** `path: reason`, the line the helper answers with. */
export function describe(r: { readonly path: string; readonly message: string }): string {
  return `${r.path}: ${r.message}`;
}

function join(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

export function string(options: { readonly max?: number; readonly pattern?: RegExp; readonly message?: string } = {}) {
  const { max, pattern, message = 'not allowed' } = options;
  return ((v, path) => {
    if (typeof v !== 'string') return bad(path, 'expected a string');
    if (max !== undefined && v.length > max) return bad(path, message);
    if (pattern !== undefined && !pattern.test(v)) return bad(path, message);
    return pass(v);
  }) as Check<string>;
}

/** A string turned into something else by `parse` (undefined: refused with `message`). */
export function parsedString<T>(maxLength: number, message: string, parse: (s: string) => T | undefined) {
  return ((v, path) => {
    if (typeof v !== 'string') return bad(path, 'expected a string');
    if (v.length > maxLength) return bad(path, message);
    const out = parse(v);
    return out === undefined ? bad(path, message) : pass(out);
  }) as Check<T, string>;
}

export function integer(min: number, max: number) {
  return ((v, path) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return bad(path, 'expected an integer');
    if (v < min || v > max) return bad(path, `must be ${min}..${max}`);
    return pass(v);
  }) as Check<number>;
}

export const boolean: Check<boolean> = (v, path) =>
  typeof v === 'boolean' ? pass(v) : bad(path, 'expected true or false');

export function literal<const L extends string | number | boolean>(expected: L) {
  return ((v, path) =>
    v === expected ? pass(expected) : bad(path, `expected ${JSON.stringify(expected)}`)) as Check<L>;
}

export function oneOf<const L extends string>(values: readonly L[]) {
  return ((v, path) =>
    typeof v === 'string' && (values as readonly string[]).includes(v)
      ? pass(v as L)
      : bad(path, `expected one of ${values.join(', ')}`)) as Check<L>;
}

/** Also `null`. */
export function nullable<O, I>(inner: Check<O, I>) {
  return ((v, path) => (v === null ? pass(null) : inner(v, path))) as Check<O | null, I | null>;
}

/** A further condition on what `inner` parsed. */
export function refine<O, I>(inner: Check<O, I>, ok: (value: O) => boolean, message: string) {
  return ((v, path) => {
    const r = inner(v, path);
    return r.ok && !ok(r.value) ? bad(path, message) : r;
  }) as Check<O, I>;
}

export function array<O, I>(
  item: Check<O, I>,
  limits: { readonly min?: number; readonly minMessage?: string; readonly max: number; readonly maxMessage?: string },
) {
  return ((v, path) => {
    if (!Array.isArray(v)) return bad(path, 'expected an array');
    if (v.length > limits.max) return bad(path, limits.maxMessage ?? `at most ${limits.max}`);
    if (limits.min !== undefined && v.length < limits.min)
      return bad(path, limits.minMessage ?? `at least ${limits.min}`);
    const out: O[] = [];
    for (let i = 0; i < v.length; i++) {
      const r = item(v[i], join(path, i));
      if (!r.ok) return r;
      out.push(r.value);
    }
    return pass(out);
  }) as Check<O[], I[]>;
}

/** The field may be absent (or undefined). */
export function optional<O, I>(inner: Check<O, I>): Check<O | undefined, I | undefined> & { readonly optional: true } {
  const c = ((v: unknown, path: string) => (v === undefined ? pass(undefined) : inner(v, path))) as Check<
    O | undefined,
    I | undefined
  >;
  return Object.assign(c, { optional: true as const });
}

type Shape = Readonly<Record<string, Check<unknown, unknown>>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { readonly optional: true } ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
type Flat<T> = { [K in keyof T]: T[K] };
export type ObjectOut<S extends Shape> = Flat<
  { [K in RequiredKeys<S>]: Output<S[K]> } & { [K in OptionalKeys<S>]?: Output<S[K]> }
>;
export type ObjectIn<S extends Shape> = Flat<
  { [K in RequiredKeys<S>]: Input<S[K]> } & { [K in OptionalKeys<S>]?: Input<S[K]> }
>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A plain object with exactly these fields (absent optional ones stay absent). Fields are checked
 * in the shape's order, then any field it does not declare is refused by name.
 */
export function strictObject<const S extends Shape>(shape: S) {
  const keys = Object.keys(shape);
  return ((v, path) => {
    if (!isRecord(v)) return bad(path, 'expected an object');
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      // Own fields only: never `toString` or `__proto__` from the prototype.
      const field = Object.hasOwn(v, key) ? v[key] : undefined;
      const r = (shape[key] as Check<unknown, unknown>)(field, join(path, key));
      if (!r.ok) return field === undefined && shape[key]?.optional !== true ? bad(join(path, key), 'required') : r;
      if (r.value !== undefined) out[key] = r.value;
    }
    const extra = Object.keys(v).filter((k) => !Object.hasOwn(shape, k));
    if (extra.length > 0)
      return bad(path, `unknown field ${extra.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`);
    return pass(out);
  }) as Check<ObjectOut<S>, ObjectIn<S>>;
}

/** Any fields (the envelope's `result`, checked per verb by the caller). */
export const record: Check<Record<string, unknown>> = (v, path) =>
  isRecord(v) ? pass(v) : bad(path, 'expected an object');

/** One of several object checks, picked by the value in `key` (a request's verb, a response's ok). */
export function tagged<const K extends string, const M extends Readonly<Record<string, Check<unknown, unknown>>>>(
  key: K,
  variants: M,
) {
  return ((v, path) => {
    if (!isRecord(v)) return bad(path, 'expected an object');
    const tag = Object.hasOwn(v, key) ? v[key] : undefined;
    // A boolean tag (a response's `ok`) picks the variant named "true" or "false".
    const name = typeof tag === 'string' || typeof tag === 'boolean' ? String(tag) : undefined;
    if (name === undefined || !Object.hasOwn(variants, name))
      return bad(join(path, key), `expected one of ${Object.keys(variants).join(', ')}`);
    return (variants[name] as Check<unknown, unknown>)(v, path);
  }) as Check<Output<M[keyof M]>, Input<M[keyof M]>>;
}
