export { startHostSim, type HostSim, type HostSimOptions } from "./server";
export type { Faults } from "./faults";
export { defaultVirtualVersion, versionFromStatefulSet } from "./vcluster";
