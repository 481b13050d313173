import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/server/db/client";
import { AppError } from "@/server/universal/errors";
import { translateDbError } from "./errors";

const servers: net.Server[] = [];
const clients: Db[] = [];
afterAll(async () => {
  for (const client of clients) await client.$disconnect();
  for (const server of servers) server.close();
});

async function listen(onConnection: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer(onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return (server.address() as net.AddressInfo).port;
}

async function failureOf(url: string): Promise<unknown> {
  const client = createDb(url);
  clients.push(client);
  return client.user.count().then(
    () => new Error("the query succeeded"),
    (error: unknown) => translateDbError(error),
  );
}

describe("database errors of an unreachable database", () => {
  it("a refused connection is UNAVAILABLE", async () => {
    const port = await listen(() => undefined);
    servers.pop()?.close();
    const error = await failureOf(`postgresql://postgres@127.0.0.1:${port}/none`);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "UNAVAILABLE" });
  });

  it("a connection dropped right after it was accepted (a cut proxy) is UNAVAILABLE, not an unknown error", async () => {
    const port = await listen((socket) => socket.destroy());
    const error = await failureOf(`postgresql://postgres@127.0.0.1:${port}/none`);
    expect(error).toMatchObject({ code: "UNAVAILABLE", message: "the database is not reachable right now; try again" });
  });

  it("leaves other errors alone", () => {
    const other = new Error("Connection terminated unexpectedly, or so it says");
    expect(translateDbError(other)).toBe(other);
  });
});
