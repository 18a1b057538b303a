"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export interface NavItem {
  href: string;
  label: string;
}

/**
 * The console's main navigation; the current section is marked with aria-current="page".
 * No viewport prefetch: every console page is rendered per request, so prefetching the sidebar made
 * each page view start nine more server renders (session and database reads each) right as it
 * became interactive, for one click at most; a link is fetched when followed.
 */
export function NavLinks({ items }: { items: NavItem[] }) {
  const path = usePathname();
  const current = (href: string) => (href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`));
  return (
    <nav className="nav" aria-label="Main">
      <ul>
        {items.map((i) => (
          <li key={i.href}>
            <Link href={i.href} prefetch={false} aria-current={current(i.href) ? "page" : undefined}>
              {i.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
