import { z } from "zod";
import { PHASES } from "@/server/universal/state-machine";

/** Shapes shared by several routers' outputs. */
export const roleSchema = z.enum(["OWNER", "MEMBER", "VIEWER"]);
export const phaseSchema = z.enum(PHASES);
export const idSchema = z.string().min(1).max(64);
