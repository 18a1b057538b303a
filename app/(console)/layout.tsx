import Link from "next/link";
import type { ReactNode } from "react";
import { CommandPalette } from "@/components/shell/command-palette";
import { CollapsibleMenu } from "@/components/shell/collapsible-menu";
import { NavLinks, type NavItem } from "@/components/shell/nav-links";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { consoleAbilities, getConsoleContext } from "./_lib/context";

export const dynamic = "force-dynamic";

/**
 * The console shell. Every page below calls requireConsoleContext(itsPath), which sends a visitor
 * without a session to the login page and back to that page afterwards (a layout does not know the
 * path, so it leaves the redirect to the page and renders no shell).
 */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const ctx = await getConsoleContext();
  if (!ctx) return <>{children}</>;
  const can = consoleAbilities(ctx.actor);
  const items: NavItem[] = [
    { href: "/", label: "Dashboard" },
    { href: "/flags", label: "Flags" },
    { href: "/segments", label: "Segments" },
    ...(can.readAudit ? [{ href: "/audit", label: "Audit history" }] : []),
    { href: "/realtime", label: "Realtime" },
    { href: "/namespaces", label: "Namespaces" },
    { href: "/environments", label: "Environments" },
    ...(can.adminSomewhere ? [{ href: "/sdk-keys", label: "SDK keys" }, { href: "/api-tokens", label: "API tokens" }, { href: "/users", label: "Users & roles" }] : []),
    { href: "/account", label: "My account" },
  ];
  return (
    <div className="shell">
      <a href="#main" className="skip-link">Skip to content</a>
      <aside className="sidebar">
        <Link href="/" className="brand">
          Mizu<span>Flow</span>
        </Link>
        <CollapsibleMenu>
          <CommandPalette pages={items} />
          <NavLinks items={items} />
          <div className="user-box">
            <span>Signed in as</span>
            <strong data-testid="signed-in-as">{ctx.actor.name}</strong>
            <span>{ctx.actor.isSuperAdmin ? "Administrator" : roleSummary(ctx.actor.grants)}</span>
            <SignOutButton />
          </div>
        </CollapsibleMenu>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

function roleSummary(grants: { namespaceKey: string | null; role: string }[]): string {
  if (!grants.length) return "No roles yet";
  return grants.map((g) => `${g.role} in ${g.namespaceKey ?? "all namespaces"}`).join(", ");
}
