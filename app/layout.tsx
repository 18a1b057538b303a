import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "MizuFlow", template: "%s · MizuFlow" },
  description: "Real-time feature flags: console",
};

/**
 * Rendered per request, every page included: each response carries its own CSP nonce (proxy.ts),
 * which a page prerendered at build time could not have on its scripts.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
