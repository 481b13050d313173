/** `npm run worker`: the engine and the background work without a web server, for scaling operations out. */
import { runUntilSignalled } from "./from-env";

await runUntilSignalled();
