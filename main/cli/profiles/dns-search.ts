// --dns-search / --no-dns-search: the profile's DNS search domains. The limits (how many, what a
// domain looks like) are the profile schema's own: this asks the schema and puts its answer in terms
// of the flag, so a limit changed there is changed here too.
import { ProfileDraftSchema, type ProfileDraft } from '../../contract/profile.js';
import type { Parsed } from '../options.js';

const FLAG = '--dns-search';
const schema = ProfileDraftSchema.shape.dnsSearchDomains;

/**
 * The new list from what commander hands over: strings from each --dns-search (each may hold several,
 * comma-separated), or `false` from --no-dns-search (the list is removed: `undefined`).
 */
export function parseDnsSearch(given: readonly string[] | false): Parsed<string[] | undefined> {
  if (given === false) return { ok: true, value: undefined };
  const domains = given
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (domains.length === 0)
    return bad(`${FLAG} needs at least one domain, e.g. ${FLAG} corp.example (--no-dns-search removes the list)`);
  const checked = schema.safeParse(domains);
  if (checked.success) return { ok: true, value: domains };
  const issues = checked.error.issues;
  // A domain's own problem first: it names the value to fix. The schema's refine message ('custom')
  // reads best after "is"; zod's built-in ones (e.g. too long) follow a colon.
  const at = issues.find((i) => typeof i.path[0] === 'number');
  if (at) {
    const index = at.path[0] as number;
    const own = issues.filter((i) => i.path[0] === index);
    const pick = own.find((i) => i.code === 'custom') ?? at;
    const value = shown(domains[index] ?? '');
    return bad(`${FLAG}: '${value}'${pick.code === 'custom' ? ' is ' : ': '}${pick.message}`);
  }
  return bad(`${FLAG}: ${issues[0]?.message ?? 'not accepted'} (got ${domains.length})`);
}

/**
 * Search domains only ever go to the tunnel's DNS servers (helper-net-configurator's DNS request), so
 * with the server's DNS off they would be saved and silently never used. Refused when this command
 * makes that combination — given together, or one flag meeting the other's setting already saved —
 * never for a stored profile the command does not touch in that way.
 */
export function dnsSearchConflict(
  o: { readonly dns?: boolean; readonly dnsSearch?: readonly string[] | false },
  draft?: ProfileDraft,
): string | undefined {
  const searchGiven = Array.isArray(o.dnsSearch);
  if (o.dns === false && searchGiven)
    return `${FLAG} cannot be used with --no-dns: search domains are only sent to the server's DNS servers, which --no-dns turns off; drop one of the two`;
  if (draft === undefined || draft.dns !== false || !draft.dnsSearchDomains?.length) return undefined;
  if (o.dns === false)
    return `--no-dns would leave this profile's DNS search domains (${draft.dnsSearchDomains.join(', ')}) unused: add --no-dns-search to remove them too`;
  if (searchGiven)
    return `${FLAG} needs the server's DNS servers, which this profile does not use: add --dns to turn them on`;
  return undefined;
}

/** A value as it goes into a one-line error: a pasted novel is cut, not echoed whole. */
function shown(v: string): string {
  return v.length > 60 ? `${v.slice(0, 57)}...` : v;
}

function bad(error: string): { ok: false; error: string } {
  return { ok: false, error };
}
