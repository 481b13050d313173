"use client";

import { useQuery } from "@tanstack/react-query";
import { ArrowLeft } from "lucide-react";
import Link from "next/link";
import { useTRPC } from "../trpc";
import { Card } from "../ui/card";
import { MemberList } from "./member-list";
import { QuotaPanel } from "./quota-panel";
import { WebhookList } from "./webhook-list";

export function ProjectDetail({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const role = useQuery(trpc.project.myRole.queryOptions({ projectId }, { retry: false }));
  const projects = useQuery(trpc.project.list.queryOptions());
  if (role.isPending) return <p className="text-sm text-slate-500">Loading project…</p>;
  if (role.isError) {
    return (
      <div className="rounded-lg border border-dashed border-slate-300 p-10 text-center dark:border-slate-700">
        <p className="font-medium">
          {role.error.data?.code === "NOT_FOUND"
            ? "This project does not exist, or you are not a member."
            : role.error.message}
        </p>
        <Link href="/projects" className="text-sm text-indigo-600 hover:underline">
          Back to the projects
        </Link>
      </div>
    );
  }
  const project = projects.data?.find((p) => p.id === projectId);
  const owner = role.data.role === "OWNER";
  return (
    <div className="space-y-4">
      <Link
        href="/projects"
        className="inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-900 dark:hover:text-white"
      >
        <ArrowLeft className="size-4" /> Projects
      </Link>
      <div>
        <h1 className="text-2xl font-semibold">{project?.name ?? "Project"}</h1>
        <p className="text-sm text-slate-500">
          {project?.slug} · your role: {role.data.role}
        </p>
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Members">
          <MemberList projectId={projectId} canManage={owner} />
        </Card>
        <Card title="Quota">
          <QuotaPanel projectId={projectId} canEdit={owner} />
        </Card>
      </div>
      {owner && (
        <Card title="Webhooks">
          <WebhookList projectId={projectId} />
        </Card>
      )}
    </div>
  );
}
