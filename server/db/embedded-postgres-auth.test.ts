import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded-postgres";

let embedded: EmbeddedPostgres;

beforeAll(async () => {
  embedded = await startEmbeddedPostgres({ dataDir: null, password: "the-right-password" });
});
afterAll(async () => {
  await embedded?.stop();
});

async function connect(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const { rows } = await client.query<{ one: number }>("SELECT 1 AS one");
    return `ok ${rows[0].one}`;
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe("the embedded database asks for its password", () => {
  it("serves the launcher's URL, which carries the password, over SCRAM-SHA-256", async () => {
    expect(embedded.url).toContain("the-right-password");
    expect(await connect(embedded.url)).toBe("ok 1");
  });

  it("refuses a local process without the password, or with a wrong one, before it reaches the database", async () => {
    const url = new URL(embedded.url);
    url.password = "";
    expect(await connect(url.toString())).toMatch(/refused: .*(password|SASL)/i);
    url.password = "guess";
    expect(await connect(url.toString())).toBe('refused: password authentication failed for user "postgres"');
    expect(new URL(embedded.url).hostname).toBe("127.0.0.1");
  });
});
