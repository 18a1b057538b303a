"use client";

import dynamic from "next/dynamic";
import { useEffect, useState } from "react";
import type { NavItem } from "./nav-links";

// cmdk and the search query are not needed to show a page: the dialog's code loads when the browser
// is idle after the page is up (or at once when opened first), so it never delays the first paint.
const loadDialog = () => import("./palette-dialog");
const PaletteDialog = dynamic(loadDialog, { ssr: false });

/**
 * The command palette's trigger (Ctrl+K or Cmd+K, or the sidebar's Search button); the dialog
 * itself is palette-dialog.tsx, mounted from the first opening on.
 */
export function CommandPalette({ pages }: { pages: NavItem[] }) {
  const [open, setOpen] = useState(false);
  const [used, setUsed] = useState(false);
  const show = () => {
    setUsed(true);
    setOpen(true);
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        setUsed(true);
        setOpen(true);
      }
    };
    window.addEventListener("keydown", onKey);
    const idle = window.requestIdleCallback?.(() => void loadDialog(), { timeout: 5_000 });
    return () => {
      window.removeEventListener("keydown", onKey);
      if (idle !== undefined) window.cancelIdleCallback(idle);
    };
  }, []);
  return (
    <>
      <button type="button" className="palette-button" onClick={show} aria-keyshortcuts="Control+K">
        Search flags and pages <kbd>Ctrl K</kbd>
      </button>
      {used && <PaletteDialog pages={pages} open={open} onClose={() => setOpen(false)} />}
    </>
  );
}
