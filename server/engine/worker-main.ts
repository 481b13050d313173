/** `npm run worker`: the engine alone, for scaling operations out beyond the web servers. */
import { runEngineUntilSignalled } from "./engine-from-env";

await runEngineUntilSignalled();
