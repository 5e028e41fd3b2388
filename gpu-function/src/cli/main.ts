/**
 * The `gsv-edge` command line. Each subcommand lives in its own module and is loaded only when used, so
 * `gsv-edge g2p` does not load onnxruntime.
 * @module
 */

export interface Subcommand {
  readonly summary: string;
  /** Runs with the arguments after the subcommand name; resolves to the process exit code. */
  run(argv: readonly string[]): Promise<number>;
}

const SUBCOMMANDS: Readonly<Record<string, () => Promise<Subcommand>>> = {
  bundle: async () => (await import('../models/bundle/command.ts')).bundleCommand,
  g2p: async () => (await import('../text/g2p-command.ts')).g2pCommand,
};

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const load = name === undefined ? undefined : SUBCOMMANDS[name];
  if (load === undefined) {
    const lines = await Promise.all(
      Object.entries(SUBCOMMANDS).map(async ([command, loadCommand]) => `  ${command.padEnd(8)} ${(await loadCommand()).summary}`),
    );
    process.stderr.write(`usage: gsv-edge <command> [options]\n\ncommands:\n${lines.join('\n')}\n`);
    return name === undefined || name === '--help' || name === '-h' ? 0 : 2;
  }
  return (await load()).run(rest);
}
