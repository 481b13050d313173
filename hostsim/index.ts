export { startHostSim, type HostSim, type HostSimOptions } from "./server";
export type { Faults } from "./faults";
export { defaultVirtualVersion, versionFromWorkload } from "./vcluster";
export { portForwardProtocols } from "./portforward";
