/** `ovc snapshot create|list|restore|delete`. A snapshot is named by its id or, within its vcluster or project, its name. */
import { Command } from "commander";
import { CliError } from "../failure";
import { age, chooseFormat, formatOption, print, type Format } from "../output";
import { connect, resolveProjectId, resolveVCluster, type Client } from "../session";
import { printChange } from "./vclusters";

type Snapshot = Awaited<ReturnType<Client["snapshot"]["list"]["query"]>>[number];

function bytes(size: bigint | null): string {
  if (size === null) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = Number(size);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
}

async function findSnapshot(
  client: Client,
  ref: string,
  scope: { vclusterId?: string; projectId?: string },
): Promise<Snapshot> {
  const all = await client.snapshot.list.query({ ...scope, limit: 200 });
  const matches = all.filter((s) => s.id === ref || s.name === ref);
  if (matches.length === 0) throw new CliError(`snapshot "${ref}" not found`);
  if (matches.length > 1)
    throw new CliError(`several snapshots are named "${ref}"; give the snapshot's id instead (ovc snapshot list)`);
  return matches[0];
}

export function registerSnapshotCommands(program: Command): void {
  const snapshot = program.command("snapshot").description("take, list, restore and delete snapshots");
  const projectOption = ["-p, --project <project>", "the vcluster's project, when the name is in several"] as const;

  snapshot
    .command("create <vcluster>")
    .description("take a snapshot of a vcluster")
    .option("--name <name>", "the snapshot's name (default: generated)")
    .option(...projectOption)
    .addOption(formatOption())
    .action(async (name: string, options: { name?: string; project?: string; output?: Format }) => {
      const client = await connect();
      const row = await resolveVCluster(client, name, options.project);
      const made = await client.snapshot.create.mutate({ vclusterId: row.id, name: options.name });
      print(
        chooseFormat(options.output),
        made,
        () => `snapshot ${made.snapshot.name} of ${name}: ${made.snapshot.status} (operation ${made.operationId})`,
      );
    });

  snapshot
    .command("list [vcluster]")
    .description("list snapshots, of one vcluster or of everything you can see")
    .option(...projectOption)
    .addOption(formatOption())
    .action(async (name: string | undefined, options: { project?: string; output?: Format }) => {
      const client = await connect();
      const vclusterId = name ? (await resolveVCluster(client, name, options.project)).id : undefined;
      const projectId = !name && options.project ? await resolveProjectId(client, options.project) : undefined;
      const items = await client.snapshot.list.query({ vclusterId, projectId, limit: 200 });
      print(chooseFormat(options.output), items, () => ({
        headers: ["ID", "NAME", "VCLUSTER", "STATUS", "SIZE", "AGE"],
        rows: items.map((s) => [s.id, s.name, s.vclusterName, s.status, bytes(s.sizeBytes), age(s.createdAt)]),
      }));
    });

  snapshot
    .command("restore <vcluster> <snapshot>")
    .description("restore a vcluster from one of its snapshots")
    .option("--prune", "also delete objects the snapshot does not have", false)
    .option(...projectOption)
    .addOption(formatOption())
    .action(async (name: string, ref: string, options: { prune: boolean; project?: string; output?: Format }) => {
      const client = await connect();
      const row = await resolveVCluster(client, name, options.project);
      const found = await findSnapshot(client, ref, { vclusterId: row.id });
      printChange(
        chooseFormat(options.output),
        `restoring from ${found.name}`,
        await client.snapshot.restore.mutate({ vclusterId: row.id, snapshotId: found.id, prune: options.prune }),
      );
    });

  snapshot
    .command("delete <snapshot>")
    .description("delete a snapshot and its stored data")
    .option("-p, --project <project>", "look the snapshot's name up in this project")
    .addOption(formatOption())
    .action(async (ref: string, options: { project?: string; output?: Format }) => {
      const client = await connect();
      const projectId = options.project ? await resolveProjectId(client, options.project) : undefined;
      const found = await findSnapshot(client, ref, { projectId });
      const deleted = await client.snapshot.delete.mutate({ id: found.id });
      print(chooseFormat(options.output), deleted, () => `snapshot ${found.name} deleted`);
    });
}
