// A SoftEther user who signs in with a certificate (EAP-TLS inside PPP): the test's own CA is
// added to HUB1's trusted CAs (vpncmd CAAdd) and the user is set to "signed certificate"
// authentication (UserSignedSet: any certificate that CA issued, checked for validity by the
// server's SamAuthUserByCert). SoftEther 5.01 runs EAP-TLS with its own server certificate, so the
// certificate inside EAP is the one the SSTP listener presents.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SoftEtherServer } from './softether.js';

export async function addCertificateUser(server: SoftEtherServer, username: string, caPem: string): Promise<void> {
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(username))
    throw new Error(`unsafe SoftEther user name ${JSON.stringify(username)}`);
  const caFile = join(server.stateDir, `eap-ca-${username}.cer`);
  writeFileSync(caFile, caPem, { mode: 0o644 });
  // vpncmd reads "/x" as a parameter named x; "//x" is the nameless argument "/x" (Console.c).
  const cmds = [
    'Hub HUB1',
    `CAAdd /${caFile}`,
    `UserCreate ${username} /GROUP:none /REALNAME:none /NOTE:none`,
    `UserSignedSet ${username} /CN:none /SERIAL:none`,
  ];
  const out = await server.vpncmd(cmds);
  const ok = out.split('The command completed successfully.').length - 1;
  if (ok !== cmds.length)
    throw new Error(`vpncmd certificate user: ${ok}/${cmds.length} commands succeeded:\n${out.slice(-2000)}`);
}
