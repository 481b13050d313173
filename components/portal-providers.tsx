"use client";

import * as Tooltip from "@radix-ui/react-tooltip";
import type { ReactNode } from "react";
import { Toaster } from "sonner";

export function PortalProviders({ children }: { children: ReactNode }) {
  return (
    <Tooltip.Provider delayDuration={200}>
      {children}
      <Toaster richColors closeButton position="bottom-right" />
    </Tooltip.Provider>
  );
}
