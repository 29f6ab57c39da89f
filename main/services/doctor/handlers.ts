// The Doctor panel's channels: run the doctor for a profile (the shared diagnosis, MTU check on by
// default) and save the last report of a profile as a redacted file where the user chooses.
import type { DoctorReport } from '../../contract/doctor.js';
import type { Handlers } from '../../contract/handlers.js';
import type { BackendContext } from '../../backend/context.js';
import { redactReport, writeReportFile } from './report-file.js';

type DoctorHandlers = Pick<Handlers, 'doctor.run' | 'doctor.saveReport'>;

interface Kept {
  readonly report: DoctorReport;
  readonly username: string;
  readonly secrets: readonly string[];
}

export function doctorHandlers(ctx: BackendContext): DoctorHandlers {
  // The last run per profile, unredacted, so "Save report" can still choose to include the user name.
  // Main-process memory only; what crosses to the renderer is redacted.
  const last = new Map<string, Kept>();
  return {
    'doctor.run': async ({ profileId, password, mtu }) => {
      const r = await ctx.connections.diagnoseProfile(profileId, {
        ...(password !== undefined ? { password } : {}),
        mtu: mtu === false ? false : {},
      });
      if (!r.ok) return { ok: false, error: r.error };
      last.set(profileId, { report: r.diagnosis.report, username: r.username, secrets: r.secrets });
      return {
        ok: true,
        report: redactReport(r.diagnosis.report, { username: r.username, secrets: r.secrets }),
        attempt: r.attempt,
      };
    },
    'doctor.saveReport': async ({ profileId, includeUser }) => {
      const kept = last.get(profileId);
      if (!kept)
        return { ok: false, error: { kind: 'no-report', message: 'Run the doctor first; then save its report.' } };
      const dest = await ctx.host.chooseExportPath(`causeway-doctor-${profileId.slice(0, 8)}.txt`);
      if (dest === null)
        return { ok: false, error: { kind: 'cancelled', message: 'Saving the report was cancelled.' } };
      const w = writeReportFile(
        dest,
        redactReport(kept.report, {
          username: kept.username,
          includeUser: includeUser === true,
          secrets: kept.secrets,
        }),
      );
      return w.ok ? { ok: true, path: w.path } : { ok: false, error: { kind: 'write', message: w.message } };
    },
  };
}
