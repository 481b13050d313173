import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { createContext } from "@/server/api/context";
import { createCaller } from "@/server/api/root";
import { portalDependencies } from "@/server/composition/dependencies";

export const dynamic = "force-dynamic";

/** The kubeconfig as a file, for browsers and `curl -OJ`; the same service, authorization and audit as the API. */
/**
 * The kubeconfig as a file, for browsers and `curl -OJ`: the `vcluster.kubeconfig` command itself, through the same
 * context, authorization, rate limit, audit and error codes as the API, only answered as a download.
 */
export async function GET(req: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await context.params;
  try {
    const ctx = await createContext({ req, deps: portalDependencies() });
    const result = await createCaller(ctx).vcluster.kubeconfig({ id });
    const headers: Record<string, string> = {
      "content-type": "application/yaml; charset=utf-8",
      "content-disposition": `attachment; filename="${result.fileName}"`,
      "cache-control": "no-store",
    };
    if (result.warning) headers["x-kubeconfig-warning"] = result.warning.replace(/[\r\n]+/g, " ");
    return new Response(result.kubeconfig, { headers });
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const message =
      error.code === "INTERNAL_SERVER_ERROR" ? "internal error; the request id is in the server log" : error.message;
    return Response.json({ error: { code: error.code, message } }, { status: getHTTPStatusCodeFromError(error) });
  }
}
