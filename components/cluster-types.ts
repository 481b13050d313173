import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

type Outputs = inferRouterOutputs<AppRouter>;
type Inputs = inferRouterInputs<AppRouter>;

export type ClusterRow = Outputs["vcluster"]["list"]["items"][number];
export type ClusterDetail = Outputs["vcluster"]["get"];
export type Operation = ClusterDetail["operations"][number];
export type Phase = ClusterRow["phase"];
export type Action = ClusterDetail["allowedActions"][number];
export type ListInput = Inputs["vcluster"]["list"];
export type Role = Outputs["me"]["get"]["memberships"][number]["role"];
