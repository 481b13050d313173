import pg from "pg";

/** One query on a connection of its own, outside Prisma: what another process would see. */
export async function rowsOf<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}
