import { TRPCError } from "@trpc/server";

/** The tRPC code a call ends with ("OK" when it succeeds); anything but a TRPCError is rethrown. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}
