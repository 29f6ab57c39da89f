// Import files the e2e writes: one pointing at the harness server, one that cannot be imported.
export function nmconnection(opts: {
  name: string;
  host: string;
  username: string;
  password: string;
  /** Split tunnel to these networks (never-default); absent: a full tunnel. */
  routes?: readonly string[];
  /** Another uuid for a second connection in one data home. */
  uuid?: string;
}): Buffer {
  const split = opts.routes
    ? ['never-default=true', 'ignore-auto-dns=true', ...opts.routes.map((r, i) => `route${i + 1}=${r}`)]
    : [];
  return Buffer.from(
    [
      '[connection]',
      `id=${opts.name}`,
      `uuid=${opts.uuid ?? '0b8f3c52-6a3e-4c55-9d1c-3f7e2a9b1c44'}`,
      'type=vpn',
      'autoconnect=false',
      '',
      '[vpn]',
      `gateway=${opts.host}`,
      `user=${opts.username}`,
      'password-flags=0',
      'refuse-pap=yes',
      'refuse-chap=yes',
      'refuse-eap=yes',
      'service-type=org.freedesktop.NetworkManager.sstp',
      '',
      '[vpn-secrets]',
      `password=${opts.password}`,
      '',
      '[ipv4]',
      'method=auto',
      ...split,
      '',
    ].join('\n'),
  );
}

/** The [vpn] section (line 4) has no service-type: the importer must say so, with the line. */
export const MALFORMED = Buffer.from(
  '[connection]\nid=Broken\nthis line has no equals sign\n[vpn]\ngateway=10.0.0.1\n',
);
