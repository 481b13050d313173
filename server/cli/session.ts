/** The typed client for the stored (or OVC_*) credentials, and the lookups from what people type to ids. */
import { createClient } from "../client/create-client";
import { loadCredentials } from "./config";
import { CliError } from "./failure";

export type Client = ReturnType<typeof createClient>;

/** No vcluster by that name (told apart so that `ovc wait --for delete` can treat it as done). */
export class VClusterNotFound extends CliError {}

export async function connect(): Promise<Client> {
  return createClient(await loadCredentials());
}

/** A project given as id, slug or name. */
export async function resolveProjectId(client: Client, ref: string): Promise<string> {
  const projects = await client.project.list.query();
  const found =
    projects.find((p) => p.id === ref) ?? projects.find((p) => p.slug === ref) ?? projects.find((p) => p.name === ref);
  if (!found)
    throw new CliError(
      `project "${ref}" not found among your projects (${projects.map((p) => p.slug).join(", ") || "none"})`,
    );
  return found.id;
}

/** A vcluster by exact name; names are unique within a project only, so several matches need `-p`. */
export async function resolveVCluster(client: Client, name: string, projectRef?: string) {
  const projectId = projectRef ? await resolveProjectId(client, projectRef) : undefined;
  const page = await client.vcluster.list.query({ search: name, projectId, limit: 200 });
  const matches = page.items.filter((v) => v.name === name);
  if (matches.length === 0)
    throw new VClusterNotFound(`vcluster "${name}" not found${projectRef ? ` in project "${projectRef}"` : ""}`);
  if (matches.length > 1) {
    throw new CliError(
      `vcluster "${name}" exists in several projects (${matches.map((m) => m.projectName).join(", ")}); pass -p PROJECT`,
    );
  }
  return matches[0];
}
