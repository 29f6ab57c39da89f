// `causeway connect A B C`: several tunnels in one process, each its own helper, TUN (causewayN: the
// helpers pick and create names one at a time under their state lock), routes and control socket
// (`causeway status` lists each, `causeway disconnect A` stops only A). Each session takes its own
// profile's routes, DNS and reconnect policy; flags apply to all. What cannot work side by side is
// refused before anything starts: two full tunnels (each captures everything: only the last one up
// would carry traffic), one route in two sessions, one kill switch (the helper's nftables table
// `inet causeway` is one per network namespace: each helper would replace the other's), and the
// options that name one thing (--interface, --metrics, --capture, --keylog, one-time codes). One
// session failing leaves the others up; SIGINT/SIGTERM stops all (connect-stops.ts: the last one up
// first); the exit code is the first failed session's in argument order, 0 when none failed.
import { Readable } from 'node:stream';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { isTerminal } from '../prompt-secret.js';
import { planSession, type ConnectCliOptions, type SessionPlan } from './connect-plan.js';
import { runSession, sessionEmitter, type SessionEnd } from './connect-session.js';
import { StopGroup, withSignals } from './connect-stops.js';

type Checked = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** Options that name one thing of one session, with what to do instead. */
export function refuseSingleOptions(o: ConnectCliOptions, n: number): Checked {
  const single: [boolean, string][] = [
    [
      o.interface !== undefined,
      '--interface names one TUN device: leave it out and each session gets its own causewayN',
    ],
    [o.metrics !== undefined, '--metrics serves one tunnel: connect that one on its own to watch it'],
    [
      o.capture !== undefined || o.keylog !== undefined,
      '--capture and --keylog record one session: connect that one on its own',
    ],
    [
      o.otp !== undefined || o.otpStdin === true,
      'one-time codes are asked for one session at a time: connect the profile that needs them on its own',
    ],
  ];
  const hit = single.find(([yes]) => yes);
  return hit ? { ok: false, message: `${n} sessions in one \`causeway connect\`: ${hit[1]}.` } : { ok: true };
}

const name = (p: SessionPlan) => (p.profile ? `"${p.profile.name}"` : p.arg);

/** What the decided sessions would fight over. */
export function refuseConflicts(plans: readonly SessionPlan[]): Checked {
  const kill = plans.filter((p) => p.killSwitch.mode !== 'off');
  if (kill.length > 0)
    return {
      ok: false,
      message:
        `the kill switch is on for ${kill.map(name).join(', ')}, and there is one kill switch per machine: ` +
        "the sessions of one `causeway connect` would replace each other's. Give --kill-switch off, or connect " +
        'the one that needs the kill switch on its own.',
    };
  const otp = plans.filter((p) => p.otp !== undefined);
  if (otp.length > 0)
    return {
      ok: false,
      message: `${otp.map(name).join(', ')} asks for one-time codes, which are asked one session at a time: connect it on its own.`,
    };
  const full = plans.filter((p) => p.routing.mode === 'full');
  if (full.length > 1)
    return {
      ok: false,
      message:
        `${full.map(name).join(' and ')} are all full tunnels: each captures all traffic, so only the last one up ` +
        "would carry any. Keep one full tunnel at most: give the others split routes (their profile's " +
        'routing, or --no-default-route --route CIDR for all).',
    };
  const owner = new Map<string, SessionPlan>();
  for (const p of plans) {
    if (p.routing.mode !== 'split') continue;
    for (const r of p.routing.routes) {
      const first = owner.get(r);
      if (first && first !== p)
        return {
          ok: false,
          message: `route ${r} is in both ${name(first)} and ${name(p)}: one of them would not get it. Give each session its own routes.`,
        };
      owner.set(r, p);
    }
  }
  return { ok: true };
}

/** Every line this session writes carries its label (JSON lines carry it as `target`, see runSession). */
function labelled(ctx: CliContext, label: string, json: boolean, stdin: Readable): CliContext {
  const prefix = (write: (t: string) => void) => (text: string) => write(text.replace(/^(?=.)/gm, `[${label}] `));
  return { ...ctx, stdin, stdout: json ? ctx.stdout : prefix(ctx.stdout), stderr: prefix(ctx.stderr) };
}

/** --password-stdin (and --proxy-password-stdin) from a pipe: read once, handed to every session alike. */
async function sharedStdin(o: ConnectCliOptions & { proxyPasswordStdin?: boolean }, ctx: CliContext) {
  if ((!o.passwordStdin && !o.proxyPasswordStdin) || isTerminal(ctx.stdin)) return () => ctx.stdin;
  const chunks: Buffer[] = [];
  for await (const c of ctx.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  const all = Buffer.concat(chunks);
  return () => Readable.from([all]);
}

export async function runConnectMany(args: readonly string[], o: ConnectCliOptions, ctx: CliContext): Promise<number> {
  const fail = (message: string, code: number, label?: string) => {
    if (o.json) sessionEmitter(o, ctx, label)({ event: 'error', message });
    else ctx.stderr(`causeway: ${label ? `[${label}] ` : ''}${message}\n`);
    return code;
  };
  const single = refuseSingleOptions(o, args.length);
  if (!single.ok) return fail(single.message, EXIT.usage);
  const repeated = args.find((a, i) => args.indexOf(a) !== i);
  if (repeated !== undefined) return fail(`${repeated} is given twice: each session needs its own target.`, EXIT.usage);
  const stdinFor = await sharedStdin(o, ctx);
  const plans: SessionPlan[] = [];
  for (const arg of args) {
    const p = await planSession(arg, o, labelled(ctx, arg, o.json === true, stdinFor()), stdinFor());
    if (!p.ok) return fail(`${p.message} (nothing was connected)`, p.code, arg);
    plans.push(p.plan);
  }
  const conflict = refuseConflicts(plans);
  if (!conflict.ok) return fail(`${conflict.message} (nothing was connected)`, EXIT.usage);

  const group = new StopGroup();
  const ends: SessionEnd[] = await withSignals(group, () =>
    Promise.all(
      plans.map((plan, slot) =>
        runSession(plan, o, labelled(ctx, plan.arg, o.json === true, stdinFor()), {
          label: plan.arg,
          slot,
          ...group.member(),
        }),
      ),
    ),
  );
  const failed = ends.map((e, i) => ({ e, arg: args[i] ?? '' })).filter((x) => x.e.failure !== null);
  if (o.json)
    ctx.stdout(
      JSON.stringify({
        event: 'ended',
        sessions: ends.map((e, i) => ({ target: args[i], exitCode: e.code, failure: e.failure })),
      }) + '\n',
    );
  else if (failed.length > 0)
    ctx.stderr(
      `causeway: ${ends.length - failed.length} of ${ends.length} sessions ended cleanly; ` +
        failed.map((f) => `${f.arg}: ${f.e.failure?.message ?? ''} (exit ${f.e.code})`).join('; ') +
        '\n',
    );
  return failed[0]?.e.code ?? EXIT.ok;
}
