/**
 * The typed tRPC client for tools and scripts: queries and mutations over HTTP batches, `vcluster.watch` over
 * Server-Sent Events, every request with the API token as `Authorization: Bearer`. Imports nothing of the server
 * at run time (AppRouter is a type), so a tool can copy this file with the router's type.
 */
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClient } from "@trpc/client";
import { EventSource, type FetchLike } from "eventsource";
import superjson from "superjson";
import type { AppRouter } from "@/server/api/root";

export interface ClientOptions {
  /** the portal's address, e.g. `https://vclusters.example.com` */
  url: string;
  /** an API token (`ovc_…`), made on the Projects page */
  token: string;
}

export function createClient({ url, token }: ClientOptions): TRPCClient<AppRouter> {
  const endpoint = new URL("api/trpc", url.endsWith("/") ? url : `${url}/`).toString();
  const authorization = `Bearer ${token}`;
  // A standard EventSource cannot send headers; this one takes a fetch, so the token travels in a header, not in the URL.
  const fetchWithToken: FetchLike = (input, init) =>
    fetch(input, { ...init, headers: { ...init.headers, authorization } });
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: endpoint,
          transformer: superjson,
          EventSource,
          eventSourceOptions: { fetch: fetchWithToken },
        }),
        false: httpBatchLink({ url: endpoint, transformer: superjson, headers: { authorization } }),
      }),
    ],
  });
}
