import { ClusterDetail } from "@/components/clusters/cluster-detail";

export default async function ClusterPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ action?: string }>;
}) {
  const [{ id }, { action }] = await Promise.all([params, searchParams]);
  return <ClusterDetail id={id} initialAction={action ?? null} />;
}
