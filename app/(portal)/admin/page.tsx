import { notFound } from "next/navigation";
import { UserList } from "@/components/user-list";
import { requirePageUser } from "@/server/auth/session";

export default async function AdminPage() {
  const user = await requirePageUser("/admin");
  if (!user.isPlatformAdmin) notFound();
  return (
    <section>
      <h1 className="mb-4 text-2xl font-semibold">Administration</h1>
      <h2 className="mb-2 text-lg font-semibold">Users</h2>
      <UserList />
    </section>
  );
}
