"use client";

import { usePathname } from "next/navigation";
import { useEffect, useId, useState, type ReactNode } from "react";

/**
 * On narrow screens the sidebar's navigation folds behind a "Menu" button, so a phone shows the page
 * first instead of ~560 px of links; on wide screens the button is hidden by CSS and the menu is
 * always shown. Following a link closes it.
 */
export function CollapsibleMenu({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const path = usePathname();
  const id = useId();
  useEffect(() => setOpen(false), [path]);
  return (
    <>
      <button type="button" className="menu-toggle" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
        {open ? "Close menu" : "Menu"}
      </button>
      <div id={id} className="menu-body" data-open={open}>
        {children}
      </div>
    </>
  );
}
