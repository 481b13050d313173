/** The simulated host cluster's process (started and restarted by ./supervised-hostsim.ts). */
import { startHostSim, type HostSimOptions } from "@open-vcluster/hostsim";
import { endWithLauncher, receiveConfig, reportReady } from "./supervised-child";

const options = (await receiveConfig()) as HostSimOptions;
const sim = await startHostSim(options);
endWithLauncher(() => sim.close());
reportReady({ url: sim.url, kubeconfig: sim.kubeconfig });
