/**
 * Where the virtual cluster keeps its state, chosen once at creation by `enableHa` (vcluster cannot move data from one
 * store to another, so scaling or pausing must never switch it). The free syncer refuses its default embedded SQLite
 * with more than one replica (pkg/config/validation.go: "embedded database is not supported with multiple
 * replicas"), and embedded etcd and external databases need a licence, so HA gets the chart's deployed etcd: a
 * StatefulSet of its own beside the control plane.
 */
import { invalidField } from "@/server/universal/errors";
import type { HostSpec } from "./types";

/** an etcd quorum that survives one member's loss */
export const DEPLOYED_ETCD_REPLICAS = 3;

/** True for HA; refuses several replicas on SQLite, which the syncer would refuse at start. */
export function usesDeployedEtcd(spec: Pick<HostSpec, "enableHa" | "replicas">): boolean {
  if (!spec.enableHa && spec.replicas > 1) {
    throw invalidField(
      "spec.replicas",
      `${spec.replicas} replicas need enableHa: without it the state is in embedded SQLite, which runs exactly 1 replica`,
    );
  }
  return spec.enableHa;
}
