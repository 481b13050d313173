/**
 * The kubeconfig a person downloads: the portal's access gateway for this vcluster (`<portal>/kube/<id>`) with the
 * person's own token, for every role (VIEWERs read through it). The vcluster's own admin certificate never leaves
 * the portal. Downloads and rotations are audited; the host is read outside the audit transaction.
 */
import YAML from "yaml";
import type { Actor } from "@/server/auth/actor";
import type { Db } from "@/server/db/client";
import { targetOf } from "@/server/engine/placement/host-spec";
import type { AdapterProvider } from "@/server/adapters/vcluster/types";
import { AppError } from "@/server/universal/errors";
import type { VCluster } from "@/server/generated/prisma/client";
import { audited, type AuditActor, type AuditEvent } from "@/server/services/audit/write-audit";
import { personalKubeToken, revokePersonalKubeTokens } from "@/server/services/kube-access/kube-tokens";
import { vclusterFor } from "./access";
import type { ServiceContext } from "@/server/services/service-context";

export interface KubeconfigDownload {
  /** the kubeconfig YAML; never log it */
  kubeconfig: string;
  server: string;
  reachable: boolean;
  warning: string | null;
  vclusterName: string;
  fileName: string;
  /** the token's public prefix, as lists show it */
  tokenPrefix: string;
}

export interface GatewaySettings {
  /** the https URL of the portal's access gateway (GATEWAY_URL, else PORTAL_URL) */
  gatewayUrl: string;
  /** the CA a kubeconfig trusts the gateway with, when clients would not already trust its certificate */
  caPem: string | null;
  /** seals the tokens at rest */
  credentialsKey: string;
}

/** The gateway path of a vcluster's API. */
export const gatewayServer = (gatewayUrl: string, vclusterId: string) =>
  `${gatewayUrl.replace(/\/+$/, "")}/kube/${vclusterId}`;

export function gatewayKubeconfig(input: {
  server: string;
  caPem: string | null;
  vclusterName: string;
  email: string;
  token: string;
}): string {
  const name = `ovc-${input.vclusterName}`;
  return YAML.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name,
        cluster: {
          server: input.server,
          ...(input.caPem ? { "certificate-authority-data": Buffer.from(input.caPem).toString("base64") } : {}),
        },
      },
    ],
    users: [{ name: `${input.email}@${name}`, user: { token: input.token } }],
    contexts: [{ name, context: { cluster: name, user: `${input.email}@${name}` } }],
    "current-context": name,
    preferences: {},
  });
}

const SERVING: VCluster["phase"][] = ["RUNNING", "SCALING", "UPDATING", "SNAPSHOTTING", "RESTORING"];

async function reachability(adapters: AdapterProvider, vcluster: VCluster): Promise<string | null> {
  if (!SERVING.includes(vcluster.phase) || !vcluster.hostClusterId) {
    return `${vcluster.name} is ${vcluster.phase.toLowerCase()}: this file works once it is running${vcluster.phase === "SUSPENDED" ? " again (resume it)" : ""}.`;
  }
  const unreachable = await (await adapters.forHost(vcluster.hostClusterId)).checkVirtualApi(targetOf(vcluster));
  return unreachable ? `The portal could not reach the vcluster's API through the host: ${unreachable}` : null;
}

async function issue(
  db: Db,
  adapters: AdapterProvider,
  actor: Actor,
  auditActor: AuditActor,
  id: string,
  settings: GatewaySettings,
  action: "vcluster.kubeconfig_download" | "vcluster.kubeconfig_rotate",
): Promise<KubeconfigDownload> {
  const event: AuditEvent = { action, targetType: "vcluster", targetId: id };
  let warning: string | null;
  try {
    const { vcluster } = await vclusterFor(db, actor, id, "VIEWER");
    if (vcluster.phase === "DELETING") throw new AppError("PRECONDITION_FAILED", `${vcluster.name} is being deleted`);
    warning = await reachability(adapters, vcluster);
  } catch (error) {
    return audited(db, auditActor, event, () => Promise.reject(error));
  }
  return audited(db, auditActor, event, async (tx) => {
    const v = await tx.vCluster.findUniqueOrThrow({ where: { id }, select: { name: true, projectId: true } });
    if (action === "vcluster.kubeconfig_rotate") await revokePersonalKubeTokens(tx, actor.userId, id);
    const { token, view } = await personalKubeToken(tx, actor.userId, id, settings.credentialsKey);
    const server = gatewayServer(settings.gatewayUrl, id);
    const value: KubeconfigDownload = {
      kubeconfig: gatewayKubeconfig({ server, caPem: settings.caPem, vclusterName: v.name, email: actor.email, token }),
      server,
      reachable: warning === null,
      warning,
      vclusterName: v.name,
      fileName: `${v.name}.kubeconfig.yaml`,
      tokenPrefix: view.prefix,
    };
    return {
      value,
      audit: {
        targetName: v.name,
        projectId: v.projectId,
        after: { server, token: view.prefix, reachable: value.reachable },
      },
    };
  });
}

export function downloadKubeconfig(
  { db, actor, auditActor, deps }: ServiceContext,
  id: string,
): Promise<KubeconfigDownload> {
  return issue(db, deps.hosts, actor, auditActor, id, deps.gateway(), "vcluster.kubeconfig_download");
}

/** One click: the old token stops at its next request, and the new file is returned. */
export function rotateKubeconfig(
  { db, actor, auditActor, deps }: ServiceContext,
  id: string,
): Promise<KubeconfigDownload> {
  return issue(db, deps.hosts, actor, auditActor, id, deps.gateway(), "vcluster.kubeconfig_rotate");
}
