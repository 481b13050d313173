import { handleRestRequest } from "@/server/api/rest/gateway";
import { portalDependencies } from "@/server/composition/dependencies";

export const dynamic = "force-dynamic";

const handler = (req: Request) => handleRestRequest(req, portalDependencies());

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
