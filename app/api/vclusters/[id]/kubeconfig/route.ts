import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { clientAddressOf } from "@/server/security/client-address";
import { crossSiteReason } from "@/server/security/same-origin";
import { requestIdOf } from "@/server/api/context";
import { auditActorOf } from "@/server/api/audit-actor";
import { toAppError, toTrpcError } from "@/server/api/error-map";
import { gatewaySettings } from "@/server/api/gateway-settings";
import { hostAdapters } from "@/server/api/host-adapters";
import { resolveActor } from "@/server/auth/actor";
import { db } from "@/server/db/client";
import { downloadKubeconfig } from "@/server/services/vclusters/kubeconfig";

export const dynamic = "force-dynamic";

/** The kubeconfig as a file, for browsers and `curl -OJ`; the same service, authorization and audit as the API. */
export async function GET(req: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await context.params;
  try {
    // a link on another site must not download (and audit) a kubeconfig with the visitor's session
    const crossSite = req.headers.get("authorization") ? null : crossSiteReason("GET", req.headers, { requireJson: false });
    if (crossSite) return Response.json({ error: { code: "FORBIDDEN", message: crossSite } }, { status: 403 });
    const actor = await resolveActor(db(), req.headers);
    if (!actor) return Response.json({ error: { code: "UNAUTHORIZED", message: "sign in, or send an API token" } }, { status: 401 });
    const ctx = {
      actor,
      requestId: requestIdOf(req.headers),
      ip: clientAddressOf(req.headers),
      userAgent: req.headers.get("user-agent"),
    };
    const result = await downloadKubeconfig(db(), hostAdapters(db()), actor, auditActorOf(ctx), id, gatewaySettings());
    const headers: Record<string, string> = {
      "content-type": "application/yaml; charset=utf-8",
      "content-disposition": `attachment; filename="${result.fileName}"`,
      "cache-control": "no-store",
    };
    if (result.warning) headers["x-kubeconfig-warning"] = result.warning.replace(/[\r\n]+/g, " ");
    return new Response(result.kubeconfig, { headers });
  } catch (error) {
    const app = toAppError(error);
    if (!app) throw error;
    const trpc = toTrpcError(app);
    return Response.json({ error: { code: trpc.code, message: app.message } }, { status: getHTTPStatusCodeFromError(trpc) });
  }
}
