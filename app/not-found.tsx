import Link from "next/link";

/** Any address the console does not have: the console's own look and a way back, not Next's bare page. */
export default function NotFound() {
  return (
    <main id="main" className="main" style={{ margin: "0 auto" }}>
      <h1>Page not found</h1>
      <p className="empty">Nothing lives at this address. It may have been mistyped, or the page was removed.</p>
      <p>
        <Link href="/" className="button primary">Go to the dashboard</Link>
      </p>
    </main>
  );
}
