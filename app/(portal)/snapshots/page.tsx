import { SnapshotsOverview } from "@/components/snapshots/snapshots-overview";

export default function SnapshotsPage() {
  return (
    <section>
      <h1 className="mb-4 text-2xl font-semibold">Snapshots</h1>
      <SnapshotsOverview />
    </section>
  );
}
