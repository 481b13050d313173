/** The OpenAPI 3.1 document for /api/v1, generated from the procedures' zod schemas and completed with the portal's error responses. */
import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import { z } from "zod";
import { declarationsOf, describeAccess, levelOf } from "../command";
import { markOutputDates } from "./date-formats";
import { REST_BASE, restRouter } from "./rest-router";

export const restErrorSchema = z
  .object({
    message: z.string().describe("what went wrong, naming the field and the rule"),
    code: z.string().describe("the error code, e.g. NOT_FOUND, BAD_REQUEST, TOO_MANY_REQUESTS"),
    issues: z.array(z.object({ field: z.string().describe("dotted path of the input field"), message: z.string() })),
    retryAfter: z.number().int().nullable().describe("seconds to wait before retrying (rate limits)"),
  })
  .meta({ id: "Error", description: "Every non-2xx response has this body." });

/** What each status means here; every operation may answer with any of them (all need a token; all validate input). */
const ERROR_RESPONSES: Record<string, string> = {
  "400": "Invalid input; `issues` names each field",
  "401": "No token, or the token is unknown, expired or revoked",
  "403": "The token's user lacks the role, or a project quota would be exceeded",
  "404": "Not found, or not visible to this token's user",
  "409": "Conflicts with the current state or another resource",
  "412": "A precondition failed, e.g. the vcluster's phase does not allow this action",
  "429": "Rate limited; see Retry-After",
  "500": "Internal error; the request id is in the server log",
  "503": "The host cluster or object store is unavailable",
};

type Operation = {
  operationId?: string;
  description?: string;
  responses?: Record<string, unknown>;
  "x-ovc-access"?: unknown;
};

function build(): OpenAPIObject {
  markOutputDates(restRouter._def.procedures);
  const document = generateOpenApiDocument(restRouter, {
    title: "open-vcluster REST API",
    description: "The portal's API for any language. Authenticate with an API token: `Authorization: Bearer ovc_…`.",
    version: "1.0.0",
    baseUrl: REST_BASE,
    tags: [
      "projects",
      "vclusters",
      "snapshots",
      "webhooks",
      "notifications",
      "tokens",
      "users",
      "hostClusters",
      "audit",
      "system",
    ],
    securitySchemes: {
      bearerAuth: { type: "http", scheme: "bearer", description: "an API token (ovc_…) from the Projects page" },
    },
    defs: { Error: restErrorSchema },
  });
  const errorContent = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };
  const commands = new Map(Object.values(declarationsOf(restRouter)).map((d) => [d.operationId, d.command]));
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item as Record<string, Operation>)) {
      // who may call and how it is audited come from the command's declaration, the same the middleware enforces
      const command = commands.get(operation.operationId ?? null);
      if (command) {
        operation.description = [operation.description, describeAccess(command)].filter(Boolean).join("\n\n");
        operation["x-ovc-access"] = {
          scope: typeof command.scope === "string" ? command.scope : Object.keys(command.scope)[0],
          ...(typeof command.scope === "string" ? {} : { role: levelOf(command.scope) }),
          audit: command.audit?.action ?? null,
        };
      }
      const success = Object.fromEntries(
        Object.entries(operation.responses ?? {}).filter(([status]) => status.startsWith("2")),
      );
      operation.responses = {
        ...success,
        ...Object.fromEntries(
          Object.entries(ERROR_RESPONSES).map(([status, description]) => [
            status,
            { description, content: errorContent },
          ]),
        ),
      };
    }
  }
  // The library registers its own error schemas; the responses above no longer use them.
  const schemas = document.components?.schemas ?? {};
  for (const name of Object.keys(schemas)) if (name.startsWith("error.")) delete schemas[name];
  return document;
}

let cached: OpenAPIObject | null = null;

export function openApiDocument(): OpenAPIObject {
  cached ??= build();
  return cached;
}
