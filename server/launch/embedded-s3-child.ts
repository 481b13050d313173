/** The embedded S3 store's process (started and restarted by ./embedded-s3.ts). */
import { serveEmbeddedS3, type EmbeddedS3Config } from "./embedded-s3";
import { acceptHandedConnections, endWithLauncher, receiveConfig, reportReady } from "./supervised-child";

const config = (await receiveConfig()) as EmbeddedS3Config;
const store = await serveEmbeddedS3(config);
acceptHandedConnections((socket) => store.front.emit("connection", socket));
endWithLauncher(() => store.close());
reportReady({});
