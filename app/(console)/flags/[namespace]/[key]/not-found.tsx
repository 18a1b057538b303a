import Link from "next/link";

/**
 * An unknown flag, or one in a namespace the viewer may not see (the page treats both alike, so this
 * says nothing about which): inside the console shell, with the way back to the list.
 */
export default function FlagNotFound() {
  return (
    <>
      <nav aria-label="Breadcrumb" className="small">
        <Link href="/flags">← Flags</Link>
      </nav>
      <h1>Flag not found</h1>
      <p className="empty">There is no flag at this address that you can see. It may have been deleted, or its key mistyped.</p>
      <p>
        <Link href="/flags" className="button primary">Back to all flags</Link>
      </p>
    </>
  );
}
