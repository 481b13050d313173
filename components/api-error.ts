/** The shape our server's error formatter gives every tRPC error (see server/api/trpc.ts). */
interface ApiErrorLike {
  message: string;
  data?: { code?: string; issues?: { field: string; message: string }[] } | null;
}

export function issuesOf(error: ApiErrorLike | null | undefined): { field: string; message: string }[] {
  return error?.data?.issues ?? [];
}
