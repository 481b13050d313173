"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "./trpc";

export function ProjectList() {
  const trpc = useTRPC();
  const list = useQuery(trpc.project.list.queryOptions());
  if (list.isPending) return <p className="text-sm text-slate-500">Loading projects…</p>;
  if (list.isError)
    return (
      <p role="alert" className="text-sm text-red-600">
        Could not load projects: {list.error.message}
      </p>
    );
  if (list.data.length === 0)
    return (
      <p className="text-sm text-slate-500">
        You are not a member of any project yet. Ask a project owner to invite you; the invitation shows here.
      </p>
    );
  return (
    <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
      {list.data.map((p) => (
        <li
          key={p.id}
          className="rounded-lg border border-slate-200 bg-white p-4 hover:border-indigo-300 dark:border-slate-800 dark:bg-slate-900"
        >
          <Link href={`/projects/${p.id}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
            {p.name}
          </Link>
          <p className="text-sm text-slate-500">
            {p.slug} · your role: {p.role} · {p.vclusterCount} cluster{p.vclusterCount === 1 ? "" : "s"}
          </p>
        </li>
      ))}
    </ul>
  );
}
