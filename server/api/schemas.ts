import { z } from "zod";
import { PHASES } from "@/server/universal/state-machine";
import { Role } from "@/server/generated/prisma/enums";

/** Shapes shared by several routers' outputs. */
export const roleSchema = z.enum(Role);
export const phaseSchema = z.enum(PHASES);
export const idSchema = z.string().min(1).max(64);
