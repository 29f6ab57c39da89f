// The shape of the SoftEther harness as tests see it (softether.ts starts one): options, the running
// server, and the files it serves. Apart so the server's pieces can name them without a circle.
export interface SoftEtherOptions {
  /** Local bridge of HUB1 to tap_soft in the server netns, addressed 192.168.30.5/24. */
  bridge?: boolean;
  /** nginx on :8080 in the server netns serving httpRoot (implies bridge). */
  http?: boolean;
  /** Names the netns (and derives veth names, subnet, state dir): [a-z][a-z0-9-]{0,11}. */
  name?: string;
}

export interface BlobInfo {
  name: string;
  path: string;
  size: number;
  sha256: string;
  /** Through the tunnel: http://192.168.30.5:8080/<name> */
  url: string;
  /** Without the tunnel, from the host netns: http://10.200.N.1:8080/<name> */
  directUrl: string;
}

export interface SoftEtherServer {
  readonly name: string;
  /** Server address reachable from the host netns. */
  readonly host: string;
  readonly port: 443;
  /** Host-side address of the veth (the source address host traffic arrives from). */
  readonly hostAddress: string;
  readonly netns: string;
  /** Name in the certificate's CN and SAN (SAN also holds 127.0.0.1 and `host`). */
  readonly serverName: string;
  readonly certPem: string;
  /** Lowercase hex SHA-256 of the certificate's DER, as used by SSTP crypto binding. */
  readonly certDerSha256: string;
  readonly certDerSha1: string;
  readonly hub: 'HUB1';
  readonly users: { readonly username: 'testuser'; readonly password: 'testpass' };
  readonly bridgeAddress?: '192.168.30.5';
  /** Directory nginx serves (http: true). */
  readonly httpRoot?: string;
  /** http://192.168.30.5:8080/ — through the tunnel (http: true). */
  readonly httpUrl?: string;
  /** http://10.200.N.1:8080/ — the same files without the tunnel (http: true). */
  readonly httpDirectUrl?: string;
  /** Private state (config, logs); removed by stop() unless CAUSEWAY_HARNESS_KEEP=1. */
  readonly stateDir: string;
  /** Wall time startSoftEther took (not counting a wait for the name's lock), and its steps. */
  readonly startupMs: number;
  readonly timings: Readonly<Record<string, number>>;
  /** Stops everything and removes the netns, veth, processes and state. Idempotent. */
  stop(): Promise<void>;
  /** Kills the server process (if running) and starts it again with the same config. */
  restart(): Promise<void>;
  /** SIGKILLs the server process only; the netns, veth and nginx stay. */
  kill(): Promise<void>;
  /** Runs vpncmd (server admin mode, /IN: file, under `timeout`) in the netns; returns its output. */
  vpncmd(cmds: readonly string[]): Promise<string>;
  /** Writes a file into httpRoot (http: true). */
  writeBlob(name: string, bytes: Uint8Array): Promise<BlobInfo>;
  /** Writes `size` random bytes into httpRoot, streamed (http: true). */
  writeRandomBlob(name: string, size: number): Promise<BlobInfo>;
  /** Every process in the server netns (vpnserver, nginx, a running vpncmd): for leak checks. */
  processes(): Promise<number[]>;
  /** The server's stdout/stderr so far (its own log lines), for failure messages. */
  serverOutput(): string;
}
