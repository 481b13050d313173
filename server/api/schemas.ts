import { z } from "zod";

/** Shapes shared by several routers' outputs. */
export const roleSchema = z.enum(["OWNER", "MEMBER", "VIEWER"]);
export const phaseSchema = z.enum([
  "PENDING",
  "CREATING",
  "RUNNING",
  "SCALING",
  "UPDATING",
  "SUSPENDED",
  "RESUMING",
  "SNAPSHOTTING",
  "RESTORING",
  "DELETING",
  "ERROR",
]);
export const idSchema = z.string().min(1).max(64);
