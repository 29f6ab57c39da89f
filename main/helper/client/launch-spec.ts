// The shape of "how to start the helper", apart from launch.ts (which picks a platform) so each
// platform's launcher can return one without importing the picker that imports it.
export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  /** Added to the environment (pkexec clears it anyway). */
  readonly env?: Readonly<Record<string, string>>;
  /** Started through pkexec: exit 126/127 before answering means the user said no. */
  readonly viaPolkit: boolean;
}
