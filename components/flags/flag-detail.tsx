"use client";

import dynamic from "next/dynamic";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import type { FlagView } from "@/lib/flags/schemas";
import { Tabs } from "../tabs";
import { useFlagAdoption } from "./client-adoption";
import { EnvValueCard } from "./env-value-card";
import { FlagHistory } from "./flag-history";
import { FlagSettings } from "./flag-settings";
import type { TargetingTabData } from "@/lib/rules/targeting-tab";

// The rule editor brings the targeting engine's validators (zod schemas, semver, the RE2 port): a
// chunk of its own, fetched when the Rules tab is shown (or rendered with the page when it opens on
// that tab), so the Values tab does not wait for it.
const TargetingPanel = dynamic(() => import("../targeting/targeting-panel").then((m) => m.TargetingPanel), {
  loading: () => <p className="loading" role="status">Loading rules…</p>,
});

export interface FlagPerms {
  write: boolean;
  admin: boolean;
  audit: boolean;
  writeEnv: Record<string, boolean>;
  writeAll: boolean;
}

/** The flag page: every environment's value side by side, the settings, and (for reviewers) its history. */
export function FlagDetail({ flag, environments, perms, initialTab, targeting }: { flag: FlagView; environments: { key: string; name: string }[]; perms: FlagPerms; initialTab: string; targeting?: TargetingTabData }) {
  const router = useRouter();
  const pathname = usePathname();
  const [tab, setTab] = useState(initialTab);
  const adoption = useFlagAdoption(flag.namespace, flag.key, tab === "values");
  const tabs = [
    { id: "values", label: "Values" },
    ...(targeting ? [{ id: "targeting", label: "Rules" }] : []),
    { id: "settings", label: "Settings" },
    ...(perms.audit ? [{ id: "history", label: "History" }] : []),
  ];
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb small">
        <Link href="/flags">Flags</Link> <span aria-hidden="true">/</span>{" "}
        <Link href={`/flags?namespace=${encodeURIComponent(flag.namespace)}`}>{flag.namespace}</Link> <span aria-hidden="true">/</span>{" "}
        <span aria-current="page">{flag.key}</span>
      </nav>
      <div className="spread">
        <h1>
          <span className="muted">{flag.namespace}/</span>
          {flag.key}
        </h1>
        <div className="row">
          <span className="badge">{flag.type}</span>
          {flag.archived && <span className="badge warn">archived: not served to SDKs</span>}
          <span className="small muted">definition version {flag.version}</span>
        </div>
      </div>
      {flag.description && <p>{flag.description}</p>}
      {flag.tags.length > 0 && (
        <p className="row" aria-label="Tags">
          {flag.tags.map((t) => <span key={t} className="badge">{t}</span>)}
        </p>
      )}
      {!perms.write && <p className="alert info">You can read this flag; your role does not allow changing it.</p>}
      <Tabs
        tabs={tabs}
        selected={tab}
        onSelect={(id) => {
          setTab(id);
          router.replace(`${pathname}?tab=${id}`, { scroll: false });
        }}
      >
        {tab === "values" && (
          <div className="env-grid">
            {environments.map((e) => {
              const v = flag.values[e.key];
              return v ? (
                <EnvValueCard
                  // Remount when the version moves, so the editor starts from the new value.
                  key={`${e.key}@${v.version}`}
                  flag={flag}
                  environment={e}
                  current={v}
                  adoption={adoption.data?.environments[e.key]}
                  lastSeen={adoption.data?.lastSeen[e.key]}
                  canWrite={Boolean(perms.writeEnv[e.key]) && !flag.archived}
                />
              ) : null;
            })}
          </div>
        )}
        {tab === "targeting" && targeting && (
          <TargetingPanel {...targeting} type={flag.type} environments={environments} writeEnv={perms.writeEnv} archived={flag.archived} />
        )}
        {tab === "settings" && <FlagSettings key={flag.version} flag={flag} perms={perms} />}
        {tab === "history" && perms.audit && <FlagHistory flag={flag} perms={perms} />}
      </Tabs>
    </>
  );
}
