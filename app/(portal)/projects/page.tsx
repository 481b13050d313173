import { ApiTokens } from "@/components/api-tokens";
import { MyInvitations } from "@/components/my-invitations";
import { ProjectList } from "@/components/project-list";

export default function ProjectsPage() {
  return (
    <div className="space-y-10">
      <section>
        <h1 className="mb-4 text-2xl font-semibold">Projects</h1>
        <MyInvitations />
        <ProjectList />
      </section>
      <section>
        <h2 className="mb-2 text-xl font-semibold">API tokens</h2>
        <p className="mb-4 text-sm text-slate-500">
          For the CLI and internal tools: send as <code>Authorization: Bearer &lt;token&gt;</code>. A token acts as you.
        </p>
        <ApiTokens />
      </section>
    </div>
  );
}
