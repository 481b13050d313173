import { openApiDocument } from "@/server/api/rest/openapi-document";

export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json(openApiDocument());
}
