"use client";

import { useMutation } from "@tanstack/react-query";
import { ShieldAlert } from "lucide-react";
import { useTRPC } from "../trpc";
import { Button } from "../ui/button";

/** For owners when the host offers direct access: the vcluster's own admin file, marked as the shared credential it is. */
export function DirectKubeconfig({ clusterId }: { clusterId: string }) {
  const trpc = useTRPC();
  const download = useMutation(
    trpc.vcluster.directKubeconfig.mutationOptions({
      onSuccess: (file) => {
        const url = URL.createObjectURL(new Blob([file.kubeconfig], { type: "application/yaml" }));
        const a = document.createElement("a");
        a.href = url;
        a.download = file.fileName;
        a.click();
        URL.revokeObjectURL(url);
      },
    }),
  );
  return (
    <div
      className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
      data-testid="direct-kubeconfig"
    >
      <p className="flex items-start gap-1.5">
        <ShieldAlert className="mt-0.5 size-4 shrink-0" />
        <span>
          Direct access: this cluster&apos;s API is also exposed through the host&apos;s ingress. Its own kubeconfig is{" "}
          <strong>shared admin credentials</strong>: whoever holds it keeps cluster-admin after leaving the project, and
          it cannot be revoked.
        </span>
      </p>
      <Button
        className="mt-2"
        size="sm"
        onClick={() => download.mutate({ id: clusterId })}
        disabled={download.isPending}
      >
        Download the shared admin kubeconfig
      </Button>
      {download.isError && (
        <p role="alert" className="mt-2 text-red-600">
          {download.error.message}
        </p>
      )}
    </div>
  );
}
