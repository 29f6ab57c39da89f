import type { Handlers } from '../contract/handlers.js';
import type { ImportEntryView } from '../contract/model.js';
import { importFile } from '../services/import/index.js';
import { importRisks } from '../services/import/risks.js';
import { importPrivateKey } from '../services/trust/pem-client.js';
import { clientCertificateWarnings } from './client-certificate-check.js';
import type { Diagnostic } from '../services/import/types.js';
import type { BackendContext } from './context.js';
import { PendingImports } from './pending-imports.js';
import { saveError } from './profile-handlers.js';

type ImportHandlers = Pick<Handlers, 'import.preview' | 'import.commit'>;

const diag = (d: Diagnostic) => ({ line: d.line, text: d.text });

export function importHandlers(ctx: BackendContext): ImportHandlers {
  const pending = new PendingImports();
  return {
    'import.preview': async ({ fileName, contentBase64 }) => {
      const r = importFile(fileName, Buffer.from(contentBase64, 'base64'));
      if (!r.ok) {
        const warnings = r.error.code === 'no-profiles' ? r.error.warnings.map(diag) : [];
        return {
          ok: false,
          error: { kind: 'import', code: r.error.code, line: r.error.line, text: r.error.text, warnings },
        };
      }
      const entries: ImportEntryView[] = r.profiles.map((p, index) => ({
        index,
        name: p.draft.name,
        server: `${p.draft.server.host}${p.draft.server.port && p.draft.server.port !== 443 ? `:${p.draft.server.port}` : ''}`,
        username: p.draft.username,
        line: p.source.line,
        hasPassword: p.secrets.password !== undefined,
        draft: p.draft,
        risks: importRisks(p.draft),
      }));
      return {
        ok: true,
        importId: pending.put(r.profiles),
        format: r.format,
        fileName: r.profiles[0]?.source.file ?? fileName,
        entries,
        warnings: r.warnings.map(diag),
      };
    },
    'import.commit': async ({ importId, entries }) => {
      const profiles = pending.take(importId);
      if (!profiles)
        return {
          ok: false,
          error: { kind: 'expired', message: 'This import preview has expired; choose the file again.' },
        };
      const saved = [];
      const failed = [];
      for (const { index, password, acceptRisks, pkcs12Passphrase, clientKey } of entries) {
        const imported = profiles[index];
        if (!imported) {
          failed.push({ index, message: `No entry ${index} in this import.` });
          continue;
        }
        // The preview showed these; saving them is the user's explicit choice, never a default.
        const risks = importRisks(imported.draft);
        if (risks.length > 0 && acceptRisks !== true) {
          failed.push({
            index,
            message: `Not saved: it weakens security (${risks.map((r) => r.field).join(', ')}). Confirm these settings in the preview to save it.`,
          });
          continue;
        }
        // A PEM key is decrypted before anything is saved, so a wrong passphrase leaves no half entry.
        let clientKeyPem: string | undefined;
        if (clientKey) {
          const key = importPrivateKey(clientKey.pem, clientKey.passphrase, clientKey.fileName);
          if (!key.ok) {
            failed.push({ index, message: `Not saved: ${key.error.message}` });
            continue;
          }
          clientKeyPem = key.keyPem;
        }
        const r = await ctx.store.add(imported.draft);
        if (!r.ok) {
          failed.push({ index, message: saveError(r.error).message });
          continue;
        }
        const secrets: [Parameters<typeof ctx.credentials.set>[1], string | undefined][] = [
          ['password', password ?? imported.secrets.password],
          ['proxy-password', imported.secrets.proxyPassword],
          ['pkcs12-passphrase', pkcs12Passphrase],
          ['client-key', clientKeyPem],
        ];
        let warning: string | undefined;
        for (const [kind, value] of secrets) {
          if (value === undefined || value === '') continue;
          const s = await ctx.credentials.set(r.value.id, kind, value);
          if (!s.ok) warning = `Saved without its ${kind}: ${s.error.message}`;
        }
        // The certificate is checked as the editor does after saving: said now, not at connect time.
        const certProblem = (await clientCertificateWarnings(r.value, ctx.credentials))[0];
        if (certProblem && !warning) warning = `Saved, but ${certProblem.message}`;
        saved.push({ index, profile: r.value, ...(warning ? { warning } : {}) });
      }
      if (saved.length > 0) ctx.profilesChanged();
      return { ok: true, saved, failed };
    },
  };
}
