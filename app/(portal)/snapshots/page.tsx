import { SnapshotList } from "@/components/snapshot-list";

export default function SnapshotsPage() {
  return (
    <section>
      <h1 className="mb-4 text-2xl font-semibold">Snapshots</h1>
      <SnapshotList />
    </section>
  );
}
