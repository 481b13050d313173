import type { ClusterDetail } from "../cluster-types";

export function EventList({ events, hostError }: { events: ClusterDetail["events"]; hostError: string | null }) {
  return (
    <div className="text-sm">
      {hostError && (
        <p className="mb-2 text-amber-700 dark:text-amber-400">Events could not be read from the host: {hostError}</p>
      )}
      {events.length === 0 && !hostError && <p className="text-slate-500">No recent events.</p>}
      {events.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-xs">
            <thead className="text-slate-500">
              <tr>
                <th className="py-1 pr-2">Type</th>
                <th className="py-1 pr-2">Reason</th>
                <th className="py-1 pr-2">Object</th>
                <th className="py-1 pr-2">Message</th>
                <th className="py-1">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e, i) => (
                <tr
                  key={`${e.object}-${e.reason}-${i}`}
                  className="border-t border-slate-100 align-top dark:border-slate-800"
                >
                  <td className={`py-1 pr-2 ${e.type === "Warning" ? "text-amber-700 dark:text-amber-400" : ""}`}>
                    {e.type}
                  </td>
                  <td className="py-1 pr-2">{e.reason}</td>
                  <td className="py-1 pr-2 font-mono">{e.object}</td>
                  <td className="py-1 pr-2">
                    {e.message}
                    {e.count > 1 ? ` (×${e.count})` : ""}
                  </td>
                  <td className="py-1 whitespace-nowrap">{new Date(e.lastSeen).toLocaleTimeString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
