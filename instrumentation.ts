/** Next.js calls this once per server process: the engine and the services' background work run beside the web server unless turned off. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.ENGINE_IN_PROCESS === "false") return;
  const { runUntilSignalled } = await import("./server/composition/from-env");
  await runUntilSignalled();
}
