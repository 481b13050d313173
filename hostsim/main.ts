import fs from "node:fs";
import path from "node:path";
import { parseHostSimArgs, usage, UsageError, type HostSimCommand } from "./cli";
import { startHostSim } from "./index";

let command: HostSimCommand;
try {
  command = parseHostSimArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`hostsim: ${error.message}\nRun \`npm run hostsim -- --help\` for the options.`);
  process.exit(2);
}
if (command.help) {
  console.log(usage());
  process.exit(0);
}

const sim = await startHostSim(command.options);

const out = command.kubeconfigOut;
if (out) {
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, sim.kubeconfig, { mode: 0o600 });
}
console.log(`hostsim serving ${sim.url}${out ? `; admin kubeconfig written to ${out}` : ""}`);

const stop = () => {
  void sim.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
