#!/usr/bin/env node
// The `ovc` bin: the CLI is TypeScript, so it is loaded through tsx's ESM hooks (a dependency of this package).
import { register } from "tsx/esm/api";

register();
await import("./ovc.ts");
