/** `ovc login`, `ovc kubeconfig`, `ovc audit`. */
import { writeFile } from "node:fs/promises";
import { Command } from "commander";
import { createClient } from "../../client/create-client";
import { maskToken, saveCredentials } from "../config";
import { parseDuration, parsePositiveInt } from "../duration";
import { chooseFormat, formatOption, print, type Format } from "../output";
import { connect, resolveVCluster } from "../session";

export function registerAccessCommands(program: Command): void {
  program
    .command("login")
    .description("check an API token against the portal and store both in your config dir (mode 0600)")
    .requiredOption("--url <url>", "the portal's address, e.g. https://vclusters.example.com")
    .requiredOption("--token <token>", "an API token (ovc_…), made on the Projects page")
    .action(async (options: { url: string; token: string }) => {
      // Checked before storing, so a typo does not replace working credentials.
      const me = await createClient(options).me.get.query();
      const file = await saveCredentials({ url: options.url, token: options.token });
      process.stdout.write(
        `logged in to ${options.url} as ${me.email} (token ${maskToken(options.token)}); saved in ${file}\n`,
      );
    });

  program
    .command("kubeconfig <name>")
    .description(
      "download your kubeconfig for a vcluster: the portal's access gateway with your own token (to stdout, or a file with mode 0600)",
    )
    .option("-o, --output <file>", "write to this file instead of stdout")
    .option("-p, --project <project>", "the vcluster's project, when the name is in several")
    .option(
      "--rotate",
      "revoke your current token for this vcluster (old files stop working at once) and get a new file",
    )
    .action(async (name: string, options: { output?: string; project?: string; rotate?: boolean }) => {
      const client = await connect();
      const row = await resolveVCluster(client, name, options.project);
      const result = options.rotate
        ? await client.vcluster.rotateKubeconfig.mutate({ id: row.id })
        : await client.vcluster.kubeconfig.mutate({ id: row.id });
      if (result.warning) process.stderr.write(`warning: ${result.warning}\n`);
      if (!options.output) {
        process.stdout.write(result.kubeconfig.endsWith("\n") ? result.kubeconfig : `${result.kubeconfig}\n`);
        return;
      }
      // A kubeconfig holds credentials for the cluster.
      await writeFile(options.output, result.kubeconfig, { mode: 0o600 });
      process.stderr.write(`kubeconfig for ${name} (server ${result.server}) written to ${options.output}\n`);
    });

  program
    .command("audit")
    .description("show the audit log (platform admins)")
    .option("--since <duration>", "only entries newer than this, e.g. 1h", parseDuration)
    .option("--actor <actor>", "a user id, or part of the actor's email")
    .option("--limit <n>", "at most this many entries", parsePositiveInt, 50)
    .addOption(formatOption())
    .action(async (options: { since?: number; actor?: string; limit: number; output?: Format }) => {
      const client = await connect();
      const from = options.since === undefined ? undefined : new Date(Date.now() - options.since);
      const page = await client.audit.list.query({
        filter: { from, actor: options.actor },
        limit: Math.min(options.limit, 200),
      });
      print(chooseFormat(options.output), page.items, () => ({
        headers: ["TIME", "ACTOR", "ACTION", "TARGET", "RESULT", "MESSAGE"],
        rows: page.items.map((e) => [
          e.at.toISOString(),
          e.actorLabel,
          e.action,
          `${e.targetType}/${e.targetName ?? e.targetId ?? "-"}`,
          e.result,
          e.message ?? "",
        ]),
      }));
    });
}
