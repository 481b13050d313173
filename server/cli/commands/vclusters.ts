/** The vcluster commands: list, get, create, scale, suspend, resume, delete. */
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import { Command, InvalidArgumentError, Option } from "commander";
import { parse } from "yaml";
import { VClusterPhase } from "@/server/generated/prisma/enums";
import { CliError } from "../failure";
import { age, chooseFormat, formatOption, print, type Format } from "../output";
import { parsePositiveInt } from "../duration";
import { connect, resolveProjectId, resolveVCluster, type Client } from "../session";
import { describeVCluster } from "./describe";

const PHASES = Object.values(VClusterPhase);
type Phase = VClusterPhase;

type Row = Awaited<ReturnType<Client["vcluster"]["list"]["query"]>>["items"][number];
type Change = Awaited<ReturnType<Client["vcluster"]["resume"]["mutate"]>>;

export function printChange(format: Format, verb: string, change: Change): void {
  print(
    format,
    change,
    () => `vcluster ${change.vcluster.name}: ${verb} (operation ${change.operationId}); phase ${change.vcluster.phase}`,
  );
}

function parseLabel(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = text.indexOf("=");
  if (at < 1) throw new InvalidArgumentError(`"${text}" is not a label like key=value`);
  return { ...previous, [text.slice(0, at)]: text.slice(at + 1) };
}

interface CreateOptions {
  project: string;
  file?: string;
  k8sVersion?: string;
  replicas?: number;
  cpu?: string;
  memory?: string;
  label?: Record<string, string>;
  dryRun: boolean;
  output?: Format;
}

/** The spec file may be the whole request body (`spec:`, `labels:`, `annotations:`) or just the spec. */
async function readSpecFile(
  file: string,
): Promise<{ spec: Record<string, unknown>; labels?: Record<string, string>; annotations?: Record<string, string> }> {
  let doc: unknown;
  try {
    doc = parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new CliError(`${file} must hold a YAML mapping`);
  const body = doc as Record<string, unknown>;
  if (!("spec" in body)) return { spec: body };
  return body as { spec: Record<string, unknown>; labels?: Record<string, string> };
}

async function confirmByName(name: string): Promise<void> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  const typed = await prompt.question(`This deletes vcluster "${name}" and its data. Type its name to confirm: `);
  prompt.close();
  if (typed.trim() !== name) throw new CliError("the typed name did not match; nothing was deleted");
}

export function registerVClusterCommands(program: Command): void {
  program
    .command("list")
    .description("list the vclusters you can see")
    .option("-p, --project <project>", "only this project (id, slug or name)")
    .addOption(new Option("--phase <phase>", "only this phase").choices(PHASES))
    .addOption(formatOption())
    .action(async (options: { project?: string; phase?: Phase; output?: Format }) => {
      const client = await connect();
      const projectId = options.project ? await resolveProjectId(client, options.project) : undefined;
      const items: Row[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.vcluster.list.query({
          projectId,
          phases: options.phase ? [options.phase] : undefined,
          limit: 200,
          cursor,
        });
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      print(chooseFormat(options.output), items, () => ({
        headers: ["NAME", "PROJECT", "PHASE", "KUBERNETES", "READY", "HOST", "AGE"],
        rows: items.map((v) => [
          v.name,
          v.projectName,
          v.phase,
          v.kubernetesVersion,
          `${v.readyReplicas}/${v.replicas}`,
          v.hostClusterName ?? "-",
          age(v.createdAt),
        ]),
      }));
    });

  program
    .command("get <name>")
    .description("show one vcluster: status, conditions, recent operations")
    .option("-p, --project <project>", "the vcluster's project, when the name is in several")
    .addOption(formatOption())
    .action(async (name: string, options: { project?: string; output?: Format }) => {
      const client = await connect();
      const row = await resolveVCluster(client, name, options.project);
      const detail = await client.vcluster.get.query({ id: row.id });
      print(chooseFormat(options.output), detail, () => describeVCluster(detail));
    });

  program
    .command("create <name>")
    .description("create a vcluster from flags or a spec file (flags win over the file)")
    .requiredOption("-p, --project <project>", "the project (id, slug or name)")
    .option("-f, --file <spec.yaml>", "a YAML spec, or a body with spec/labels/annotations")
    .option("--k8s-version <version>", "Kubernetes version, e.g. 1.31.1")
    .option("--replicas <n>", "control-plane replicas", parsePositiveInt)
    .option("--cpu <quantity>", "CPU limit, e.g. 2 or 500m")
    .option("--memory <quantity>", "memory limit, e.g. 2Gi")
    .option("-l, --label <key=value>", "a label (repeatable)", parseLabel)
    .option(
      "--dry-run",
      "print the Helm values file the create would install, after the same checks; create nothing",
      false,
    )
    .addOption(formatOption())
    .action(async (name: string, options: CreateOptions) => {
      const client = await connect();
      const projectId = await resolveProjectId(client, options.project);
      const body = options.file ? await readSpecFile(options.file) : { spec: {} };
      const spec: Record<string, unknown> = { ...body.spec };
      if (options.k8sVersion) spec.kubernetesVersion = options.k8sVersion;
      if (options.replicas) spec.replicas = options.replicas;
      if (options.cpu || options.memory) {
        const resources = { ...(spec.resources as Record<string, unknown> | undefined) };
        if (options.cpu) resources.cpuLimit = options.cpu;
        if (options.memory) resources.memoryLimit = options.memory;
        spec.resources = resources;
      }
      // The server validates the spec with the same schema the portal's wizard uses; its field messages come back as-is.
      const request = {
        projectId,
        name,
        spec: spec as Parameters<Client["vcluster"]["create"]["mutate"]>[0]["spec"],
        labels: { ...body.labels, ...options.label },
        annotations: body.annotations,
      };
      if (options.dryRun) {
        const dryRun = await client.vcluster.dryRun.query(request);
        if (options.output === "json" || options.output === "yaml")
          return print(options.output, dryRun, () => dryRun.values);
        // the values file alone on stdout (piped too), so `ovc create … --dry-run > values.yaml` is what helm would get
        process.stderr.write(
          `vcluster chart ${dryRun.chart.version}${dryRun.hostCluster ? ` on host ${dryRun.hostCluster.name}` : " (no host cluster registered)"}; nothing was created\n`,
        );
        process.stdout.write(dryRun.values);
        return;
      }
      const created = await client.vcluster.create.mutate(request);
      print(
        chooseFormat(options.output),
        created,
        () => `vcluster ${name} created (operation ${created.operationId}); phase ${created.vcluster.phase}`,
      );
    });

  program
    .command("scale <name>")
    .description("change the number of control-plane replicas")
    .requiredOption("--replicas <n>", "control-plane replicas", parsePositiveInt)
    .option("-p, --project <project>", "the vcluster's project, when the name is in several")
    .addOption(formatOption())
    .action(async (name: string, options: { replicas: number; project?: string; output?: Format }) => {
      const client = await connect();
      const row = await resolveVCluster(client, name, options.project);
      printChange(
        chooseFormat(options.output),
        `scaling to ${options.replicas}`,
        await client.vcluster.scale.mutate({ id: row.id, replicas: options.replicas }),
      );
    });

  program
    .command("suspend <name>")
    .description("stop the control plane, keeping its data")
    .option("--snapshot", "take a snapshot first", false)
    .option("-p, --project <project>", "the vcluster's project, when the name is in several")
    .addOption(formatOption())
    .action(async (name: string, options: { snapshot: boolean; project?: string; output?: Format }) => {
      const client = await connect();
      const row = await resolveVCluster(client, name, options.project);
      printChange(
        chooseFormat(options.output),
        "suspending",
        await client.vcluster.suspend.mutate({ id: row.id, snapshotFirst: options.snapshot }),
      );
    });

  program
    .command("resume <name>")
    .description("start a suspended vcluster again")
    .option("-p, --project <project>", "the vcluster's project, when the name is in several")
    .addOption(formatOption())
    .action(async (name: string, options: { project?: string; output?: Format }) => {
      const client = await connect();
      const row = await resolveVCluster(client, name, options.project);
      printChange(chooseFormat(options.output), "resuming", await client.vcluster.resume.mutate({ id: row.id }));
    });

  program
    .command("delete <name>")
    .description("delete a vcluster (asks to type its name unless --yes)")
    .option("-y, --yes", "do not ask for confirmation", false)
    .option("--force", "delete even if the host cannot be cleaned up", false)
    .option("-p, --project <project>", "the vcluster's project, when the name is in several")
    .addOption(formatOption())
    .action(
      async (
        name: string,
        options: { yes: boolean; force: boolean; project?: string; output?: Format },
        command: Command,
      ) => {
        if (!options.yes && !process.stdin.isTTY)
          command.error("error: refusing to delete without --yes when there is no terminal to confirm on", {
            exitCode: 2,
            code: "ovc.confirmationNeeded",
          });
        const client = await connect();
        const row = await resolveVCluster(client, name, options.project);
        if (!options.yes) await confirmByName(name);
        printChange(
          chooseFormat(options.output),
          "deleting",
          await client.vcluster.delete.mutate({ id: row.id, confirmName: name, force: options.force }),
        );
      },
    );
}
