"use client";

import { useQuery } from "@tanstack/react-query";
import { Command } from "cmdk";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from "react";
import type { FlagView } from "@/lib/flags/schemas";
import { fetchJson } from "../fetch-json";
import type { NavItem } from "./nav-links";

/**
 * The command palette's dialog (opened by command-palette.tsx, which loads this module only when
 * needed): jump to any flag by key or description (the flag list's own search, so it scales to
 * 10,000 flags) or to any console page. cmdk gives the list's markup and arrow keys; the native
 * <dialog> traps focus and closes on Escape.
 *
 * The highlighted item is controlled here, not left to cmdk: results arrive asynchronously, and an
 * uncontrolled selection could stay on an item that is no longer shown, so Enter chose nothing. The
 * first item is highlighted whenever the highlighted one disappears, and an Enter pressed before the
 * results for the typed text have arrived is kept and carried out once they are shown.
 */
const hrefOf = (value: string) => (value.startsWith("flag:") ? `/flags/${value.slice(5)}` : value.slice(5));

export default function PaletteDialog({ pages, open, onClose }: { pages: NavItem[]; open: boolean; onClose(): void }) {
  const router = useRouter();
  const ref = useRef<HTMLDialogElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState("");
  const [search, setSearch] = useState("");
  const [selected, setSelected] = useState("");
  const [pendingEnter, setPendingEnter] = useState(false);
  useEffect(() => {
    const d = ref.current;
    if (open && d && !d.open) d.showModal();
    if (!open && d?.open) d.close();
    // showModal() may focus the dialog itself rather than the field: typing must reach the field.
    if (open) inputRef.current?.focus();
  }, [open]);
  useEffect(() => {
    const t = setTimeout(() => setSearch(text.trim()), 150);
    return () => clearTimeout(t);
  }, [text]);
  const flags = useQuery({
    queryKey: ["palette-flags", search],
    enabled: open && search.length > 0,
    queryFn: () => fetchJson<{ flags: FlagView[] }>(`/api/console/flags?${new URLSearchParams({ search, archived: "all" })}`),
  });
  const close = () => {
    onClose();
    setText("");
    setSearch("");
    setSelected("");
    setPendingEnter(false);
  };
  const go = (href: string) => {
    close();
    router.push(href);
  };
  const lower = text.trim().toLowerCase();
  const shownPages = pages.filter((p) => !lower || p.label.toLowerCase().includes(lower));
  const shownFlags = search ? (flags.data?.flags ?? []) : [];
  const values = [...shownFlags.map((f) => `flag:${f.namespace}/${f.key}`), ...shownPages.map((p) => `page:${p.href}`)];
  const valuesKey = values.join("\n");
  // Results for exactly what is typed are on screen (no debounce or request still running).
  const settled = text.trim() === search && !(search && flags.isFetching);
  useEffect(() => {
    if (!values.includes(selected)) setSelected(values[0] ?? "");
    // valuesKey stands for values.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [valuesKey, selected]);
  useEffect(() => {
    if (!pendingEnter || !settled) return;
    setPendingEnter(false);
    const target = values.includes(selected) ? selected : values[0];
    if (target) go(hrefOf(target));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pendingEnter, settled, valuesKey]);
  const onKeyDown = (e: ReactKeyboardEvent) => {
    if (e.key !== "Enter" || e.nativeEvent.isComposing) return;
    e.preventDefault();
    if (!settled) setPendingEnter(true);
    else if (values.includes(selected)) go(hrefOf(selected));
  };

  return (
    <dialog ref={ref} className="palette" aria-label="Jump to a flag or page" onClose={close}>
      {open && (
        <Command shouldFilter={false} label="Jump to a flag or page" value={selected} onValueChange={setSelected} onKeyDown={onKeyDown}>
          <Command.Input ref={inputRef} value={text} onValueChange={setText} placeholder="Type a flag key, a description or a page…" autoFocus />
          <Command.List>
            {search && flags.isFetching && <Command.Loading>Searching flags…</Command.Loading>}
            <Command.Empty>Nothing matches “{text}”.</Command.Empty>
            {shownFlags.length > 0 && (
              <Command.Group heading="Flags">
                {shownFlags.map((f) => (
                  <Command.Item key={`${f.namespace}/${f.key}`} value={`flag:${f.namespace}/${f.key}`} onSelect={() => go(`/flags/${f.namespace}/${f.key}`)}>
                    <span className="muted">{f.namespace}/</span>
                    <strong>{f.key}</strong>
                    {f.archived && <span className="badge warn">archived</span>}
                  </Command.Item>
                ))}
              </Command.Group>
            )}
            {shownPages.length > 0 && (
              <Command.Group heading="Pages">
                {shownPages.map((p) => (
                  <Command.Item key={p.href} value={`page:${p.href}`} onSelect={() => go(p.href)}>
                    {p.label}
                  </Command.Item>
                ))}
              </Command.Group>
            )}
          </Command.List>
        </Command>
      )}
    </dialog>
  );
}
