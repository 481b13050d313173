/** Minimal types for s3rver 3.7.1 (it ships none): only what server/launch/embedded-s3.ts uses. */
declare module "s3rver" {
  import type { RequestListener, Server } from "node:http";
  import type { AddressInfo } from "node:net";

  export interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string; configs?: string[] }[];
  }

  /** The slice of a Koa context the embedded server's middleware reads and writes. */
  export interface S3rverContext {
    method: string;
    path: string;
    query: Record<string, string | string[] | undefined>;
    status: number;
    body: unknown;
  }

  export type S3rverMiddleware = (ctx: S3rverContext, next: () => Promise<void>) => Promise<void>;

  export default class S3rver {
    constructor(options: S3rverOptions);
    /** Koa's middleware chain, composed when the server starts listening */
    middleware: S3rverMiddleware[];
    store: {
      rootDirectory: string;
      getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    };
    /** set once running */
    httpServer?: Server;
    run(): Promise<AddressInfo>;
    /** creates the buckets of `configureBuckets` (run() does it before listening) */
    configureBuckets(): Promise<void>;
    /** Koa's request handler, for a server of one's own */
    callback(): RequestListener;
    close(): Promise<void>;
  }
}
