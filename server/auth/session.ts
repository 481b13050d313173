import { redirect } from "next/navigation";
import { db } from "@/server/db/client";
import { translateDbError } from "@/server/db/errors";
import { currentSession } from "./current-session";

export interface PageUser {
  id: string;
  email: string;
  name: string | null;
  isPlatformAdmin: boolean;
}

/**
 * For server-rendered pages: the signed-in user, or a redirect to the sign-in page. Throws AppError UNAVAILABLE when
 * the database cannot be reached.
 */
export async function requirePageUser(callbackPath: string): Promise<PageUser> {
  const session = await currentSession();
  const user = session?.user?.id
    ? await db()
        .user.findUnique({
          where: { id: session.user.id },
          select: { id: true, email: true, name: true, isPlatformAdmin: true, disabled: true },
        })
        .catch((error: unknown) => {
          throw translateDbError(error);
        })
    : null;
  if (!user || user.disabled) redirect(`/signin?callbackUrl=${encodeURIComponent(callbackPath)}`);
  return { id: user.id, email: user.email, name: user.name, isPlatformAdmin: user.isPlatformAdmin };
}
