import type { ServerResponse } from "node:http";
import { type ApiContext, type Target, withVersion } from "./apicontext";
import { errors } from "./errors";
import { apiVersionOf, storeKey } from "./registry";
import { type ApiRequest, send, wantsAs } from "./request";
import { parseFieldSelector, parseLabelSelector } from "./selectors";
import { partialMetadata, toTable } from "./table";
import type { KObject } from "./types";
import { matches, serveWatch, type ObjectFilter } from "./watch";

const continueToken = (rv: number, key: string) =>
  Buffer.from(JSON.stringify({ rv, start: key })).toString("base64url");

function parseContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { rv: number; start: string };
    if (typeof parsed.start !== "string") throw new Error("bad token");
    return parsed;
  } catch {
    throw errors.badRequest("continue key is not valid: invalid continue token");
  }
}

export function filterFor(t: Target, q: URLSearchParams): ObjectFilter {
  return {
    res: storeKey(t.rt),
    ns: t.ns,
    labels: parseLabelSelector(q.get("labelSelector") ?? ""),
    fields: parseFieldSelector(q.get("fieldSelector") ?? "", t.rt.fieldSelectors),
  };
}

export function list(ctx: ApiContext, t: Target, req: ApiRequest, res: ServerResponse): void {
  const filter = filterFor(t, req.query);
  const rv = ctx.cluster.store.currentRv;
  let items = ctx.cluster.list(t.rt, t.ns).filter((o) => matches(filter, o));
  const cont = req.query.get("continue");
  if (cont) {
    const { start } = parseContinue(cont);
    const key = (o: KObject) =>
      o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata.name ?? "");
    items = items.filter((o) => key(o) > start);
  }
  const limit = Number(req.query.get("limit") ?? 0);
  const listMeta: Record<string, unknown> = { resourceVersion: String(rv) };
  if (limit > 0 && items.length > limit) {
    const last = items[limit - 1];
    listMeta.continue = continueToken(
      rv,
      last.metadata.namespace ? `${last.metadata.namespace}/${last.metadata.name}` : (last.metadata.name ?? ""),
    );
    listMeta.remainingItemCount = items.length - limit;
    items = items.slice(0, limit);
  }
  if (wantsAs(req.headers, "Table")) {
    send(
      res,
      200,
      toTable(t.rt, items, { includeObject: req.query.get("includeObject") ?? undefined, listMeta }),
      "application/json",
    );
    return;
  }
  if (wantsAs(req.headers, "PartialObjectMetadataList")) {
    send(res, 200, {
      kind: "PartialObjectMetadataList",
      apiVersion: "meta.k8s.io/v1",
      metadata: listMeta,
      items: items.map(partialMetadata),
    });
    return;
  }
  send(res, 200, {
    kind: `${t.rt.kind}List`,
    apiVersion: apiVersionOf(t.rt),
    metadata: listMeta,
    items: items.map((o) => withVersion(t.rt, o)),
  });
}

export function watch(ctx: ApiContext, t: Target, req: ApiRequest, res: ServerResponse): void {
  const q = req.query;
  const table = wantsAs(req.headers, "Table");
  let first = true;
  serveWatch({
    store: ctx.cluster.store,
    filter: filterFor(t, q),
    res,
    rv: q.get("resourceVersion") ?? undefined,
    sendInitialEvents: q.get("sendInitialEvents") === "true",
    allowBookmarks: q.get("allowWatchBookmarks") === "true",
    timeoutSeconds: Number(q.get("timeoutSeconds") ?? 1800),
    bookmarkIntervalMs: ctx.bookmarkIntervalMs,
    hub: ctx.hub,
    render: (o) => {
      if (!table) return withVersion(t.rt, o);
      const out = toTable(t.rt, [o], { includeObject: q.get("includeObject") ?? undefined, withColumns: first });
      first = false;
      return out;
    },
    bookmark: (rv, initialEnd) => ({
      kind: t.rt.kind,
      apiVersion: apiVersionOf(t.rt),
      metadata: {
        resourceVersion: String(rv),
        ...(initialEnd ? { annotations: { "k8s.io/initial-events-end": "true" } } : {}),
      },
    }),
  });
}
