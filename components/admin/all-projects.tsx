"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import type { FormEvent } from "react";
import { toast } from "sonner";
import { issuesOf } from "../api-error";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";
import { Field, inputClass } from "../ui/field";

/** Every project (platform admins see all of them) and creating a new one, owned by the admin who creates it. */
export function AllProjects() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const projects = useQuery(trpc.project.list.queryOptions());
  const create = useMutation(
    trpc.project.create.mutationOptions({
      onSuccess: (p) => {
        toast.success(`Created project ${p.name}`);
        void queryClient.invalidateQueries({ queryKey: trpc.project.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.me.get.queryKey() });
      },
    }),
  );
  const onCreate = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    create.mutate({ slug: String(f.get("slug") ?? ""), name: String(f.get("name") ?? "") });
    event.currentTarget.reset();
  };
  const errorOf = (field: string) => issuesOf(create.error).find((i) => i.field === field)?.message;
  return (
    <div className="space-y-3">
      <table className="w-full text-left text-sm">
        <thead className="text-slate-500">
          <tr>
            <th className="py-1">Project</th>
            <th className="py-1">Slug</th>
            <th className="py-1">Clusters</th>
          </tr>
        </thead>
        <tbody>
          {projects.data?.map((p) => (
            <tr key={p.id} className="border-t border-slate-100 dark:border-slate-800">
              <td className="py-1.5">
                <Link href={`/projects/${p.id}`} className="text-indigo-700 hover:underline dark:text-indigo-300">
                  {p.name}
                </Link>
              </td>
              <td className="py-1.5 font-mono text-xs">{p.slug}</td>
              <td className="py-1.5">{p.vclusterCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={onCreate} className="grid items-end gap-2 sm:grid-cols-[1fr_1fr_auto]">
        <Field label="Slug" htmlFor="project-slug" error={errorOf("slug")}>
          <input id="project-slug" name="slug" required placeholder="team-web" className={inputClass} />
        </Field>
        <Field label="Project name" htmlFor="project-name" error={errorOf("name")}>
          <input id="project-name" name="name" required placeholder="Team Web" className={inputClass} />
        </Field>
        <Button type="submit" variant="primary" disabled={create.isPending}>
          Create project
        </Button>
      </form>
      {create.isError && issuesOf(create.error).length === 0 && (
        <p className="text-sm text-red-600">{create.error.message}</p>
      )}
    </div>
  );
}
