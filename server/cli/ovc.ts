/**
 * `ovc`: the command-line tool on the typed tRPC client. Exit codes: 0 done, 1 refused or failed (the server's
 * message and field issues on stderr), 2 usage error.
 */
import { Command, CommanderError } from "commander";
import { registerAccessCommands } from "./commands/access";
import { registerSnapshotCommands } from "./commands/snapshots";
import { registerVClusterCommands } from "./commands/vclusters";
import { registerWaitCommand } from "./commands/wait";
import { describeFailure } from "./failure";

const program = new Command("ovc")
  .description("manage open-vcluster virtual clusters from the command line")
  .version("0.1.0")
  .showHelpAfterError("(add --help for usage)")
  // Commander exits by itself with code 1 on a usage error; overriding lets usage errors exit 2, as documented.
  .exitOverride();

registerAccessCommands(program);
registerVClusterCommands(program);
registerSnapshotCommands(program);
registerWaitCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  process.stderr.write(`error: ${describeFailure(error)}\n`);
  process.exit(1);
}
