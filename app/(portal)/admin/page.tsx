import { notFound } from "next/navigation";
import { AllProjects } from "@/components/admin/all-projects";
import { AuditLog } from "@/components/admin/audit-log";
import { HostClusterList } from "@/components/admin/host-cluster-list";
import { Card } from "@/components/ui/card";
import { UserList } from "@/components/user-list";
import { requirePageUser } from "@/server/auth/session";

/** Platform admins only; anyone else gets the 404 page, so the admin area is not even confirmed to exist. */
export default async function AdminPage() {
  const user = await requirePageUser("/admin");
  if (!user.isPlatformAdmin) notFound();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Administration</h1>
      <Card title="Host clusters">
        <HostClusterList />
      </Card>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Projects">
          <AllProjects />
        </Card>
        <Card title="Users">
          <UserList />
        </Card>
      </div>
      <Card title="Audit log">
        <AuditLog />
      </Card>
    </div>
  );
}
