/** Next.js calls this once per server process: the engine's workers run beside the web server unless turned off. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.ENGINE_IN_PROCESS === "false") return;
  const { runEngineUntilSignalled } = await import("./server/engine/engine-from-env");
  await runEngineUntilSignalled();
}
