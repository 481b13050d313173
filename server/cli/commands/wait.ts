/** `ovc wait NAME --for phase=RUNNING|delete --timeout 5m`: polls, shows progress on stderr, exits 1 on timeout or ERROR. */
import { setTimeout as delay } from "node:timers/promises";
import { TRPCClientError } from "@trpc/client";
import { Command, InvalidArgumentError } from "commander";
import { CliError } from "../failure";
import { parseDuration } from "../duration";
import { connect, resolveVCluster, VClusterNotFound, type Client } from "../session";

type Condition = { phase: string } | { deleted: true };

function parseCondition(text: string): Condition {
  if (text === "delete") return { deleted: true };
  const match = /^phase=([A-Za-z]+)$/.exec(text);
  if (!match) throw new InvalidArgumentError(`"${text}" is not a condition: use phase=PHASE or delete`);
  return { phase: match[1].toUpperCase() };
}

const POLL_MS = 500;

/** The vcluster's state, or null once it is gone (NOT_FOUND). */
async function look(client: Client, id: string) {
  try {
    return await client.vcluster.get.query({ id });
  } catch (error) {
    if (error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "NOT_FOUND")
      return null;
    throw error;
  }
}

function progressLine(v: NonNullable<Awaited<ReturnType<typeof look>>>): string {
  const op = v.operations.find((o) => o.state === "RUNNING" || o.state === "QUEUED");
  const step = op ? `, ${op.kind.toLowerCase()} ${op.step ?? op.state.toLowerCase()} ${op.progress}%` : "";
  return `${v.name}: ${v.phase}${step}, ${v.readyReplicas}/${v.replicas} ready`;
}

export function registerWaitCommand(program: Command): void {
  program
    .command("wait <name>")
    .description("wait until a vcluster reaches a phase, or is deleted")
    .requiredOption("--for <condition>", "phase=PHASE (e.g. phase=RUNNING) or delete", parseCondition)
    .option("--timeout <duration>", "give up after this long", parseDuration, 300_000)
    .option("-p, --project <project>", "the vcluster's project, when the name is in several")
    .action(async (name: string, options: { for: Condition; timeout: number; project?: string }) => {
      const client = await connect();
      const found = await resolveVCluster(client, name, options.project).catch((error: unknown) => {
        // Already gone is what `--for delete` waits for.
        if ("deleted" in options.for && error instanceof VClusterNotFound) return null;
        throw error;
      });
      if (!found) {
        process.stdout.write(`${name}: deleted\n`);
        return;
      }
      const { id } = found;
      const deadline = Date.now() + options.timeout;
      const tty = process.stderr.isTTY;
      let shown = "";
      for (;;) {
        const v = await look(client, id);
        if (!v) {
          if ("deleted" in options.for) break;
          throw new CliError(`vcluster ${name} was deleted while waiting`);
        }
        const line = progressLine(v);
        // On a terminal the line is rewritten in place; in a log each change gets its own line.
        if (line !== shown) process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
        shown = line;
        if ("phase" in options.for && v.phase === options.for.phase) break;
        if (v.phase === "ERROR" && !("phase" in options.for && options.for.phase === "ERROR")) {
          if (tty) process.stderr.write("\n");
          throw new CliError(`vcluster ${name} is in ERROR: ${v.reason ?? ""} ${v.message ?? ""}`.trim());
        }
        if (Date.now() + POLL_MS > deadline) {
          if (tty) process.stderr.write("\n");
          throw new CliError(`timed out after ${Math.round(options.timeout / 1000)} s; ${name} is ${v.phase}`);
        }
        await delay(POLL_MS);
      }
      if (tty) process.stderr.write("\n");
      process.stdout.write(`${name}: ${"deleted" in options.for ? "deleted" : options.for.phase}\n`);
    });
}
