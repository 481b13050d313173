"use client";

import { Menu, X } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import { useState } from "react";
import { NotificationBell } from "./notification-bell";
import { ThemeToggle } from "./theme-toggle";

const LINKS = [
  { href: "/clusters", label: "Clusters" },
  { href: "/snapshots", label: "Snapshots" },
  { href: "/projects", label: "Projects" },
];

export function NavBar({ email, isPlatformAdmin }: { email: string; isPlatformAdmin: boolean }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const links = isPlatformAdmin ? [...LINKS, { href: "/admin", label: "Admin" }] : LINKS;
  return (
    <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <nav aria-label="Main" className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
        <Link href="/clusters" className="font-semibold">
          open-vcluster
        </Link>
        <button
          type="button"
          onClick={() => setOpen(!open)}
          aria-label="Menu"
          aria-expanded={open}
          className="rounded-md p-1.5 sm:hidden"
        >
          {open ? <X className="size-4" /> : <Menu className="size-4" />}
        </button>
        <ul
          className={`${open ? "flex" : "hidden"} order-last w-full flex-col gap-2 text-sm sm:order-none sm:flex sm:w-auto sm:flex-row sm:gap-4`}
        >
          {links.map((link) => {
            const active = pathname === link.href || pathname.startsWith(`${link.href}/`);
            return (
              <li key={link.href}>
                <Link
                  href={link.href}
                  onClick={() => setOpen(false)}
                  aria-current={active ? "page" : undefined}
                  className={
                    active
                      ? "font-medium text-indigo-600 dark:text-indigo-400"
                      : "text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
                  }
                >
                  {link.label}
                </Link>
              </li>
            );
          })}
        </ul>
        <div className="ml-auto flex items-center gap-2 text-sm">
          <NotificationBell />
          <ThemeToggle />
          <span className="hidden text-slate-500 md:inline" data-testid="signed-in-as">
            {email}
          </span>
          <button
            type="button"
            onClick={() => signOut({ callbackUrl: "/signin" })}
            className="rounded-md border border-slate-300 px-2 py-1 dark:border-slate-700"
          >
            Sign out
          </button>
        </div>
      </nav>
    </header>
  );
}
