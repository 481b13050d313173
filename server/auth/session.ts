import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { db } from "@/server/db/client";
import { authOptions } from "./options";

export interface PageUser {
  id: string;
  email: string;
  name: string | null;
  isPlatformAdmin: boolean;
}

/** For server-rendered pages: the signed-in user, or a redirect to the sign-in page. */
export async function requirePageUser(callbackPath: string): Promise<PageUser> {
  const session = await getServerSession(authOptions());
  const user = session?.user?.id
    ? await db().user.findUnique({
        where: { id: session.user.id },
        select: { id: true, email: true, name: true, isPlatformAdmin: true, disabled: true },
      })
    : null;
  if (!user || user.disabled) redirect(`/signin?callbackUrl=${encodeURIComponent(callbackPath)}`);
  return { id: user.id, email: user.email, name: user.name, isPlatformAdmin: user.isPlatformAdmin };
}
