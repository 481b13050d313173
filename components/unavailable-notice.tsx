"use client";

import { useEffect, useState } from "react";

/** Shown instead of a page while the portal cannot reach its database; reloads by itself until it can. */
export function UnavailableNotice({ retryAfterSeconds }: { retryAfterSeconds: number }) {
  const [left, setLeft] = useState(retryAfterSeconds);
  useEffect(() => {
    if (left <= 0) {
      window.location.reload();
      return;
    }
    const timer = setTimeout(() => setLeft(left - 1), 1000);
    return () => clearTimeout(timer);
  }, [left]);
  return (
    <div
      role="alert"
      className="rounded-lg border border-amber-300 bg-amber-50 p-6 dark:border-amber-700 dark:bg-amber-950"
    >
      <h1 className="mb-2 text-xl font-semibold">The portal is temporarily unavailable</h1>
      <p className="text-sm text-slate-700 dark:text-slate-300">
        It cannot reach its database right now. Nothing you had open is lost; this page tries again by itself.
      </p>
      <p className="mt-3 text-sm text-slate-500" aria-live="polite">
        {left > 0 ? `Retrying in ${left} s…` : "Retrying…"}
      </p>
    </div>
  );
}
