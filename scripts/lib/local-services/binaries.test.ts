import { describe, expect, it } from "vitest";
import { decideInstall, findBinary } from "./binaries";

/**
 * What `npm test` and `npm run stack` do about a missing MariaDB, etcd or Chromium. The missing case
 * cannot be produced on a machine that has them (and uninstalling is not a test's business), so the
 * decision is tested as a pure function, and the lookup with a name that exists nowhere.
 */
describe("provisioning of missing binaries", () => {
  it("does not find a binary that is on no PATH directory", () => {
    expect(findBinary("mizuflow-no-such-browser")).toBeUndefined();
  });

  it("installs with apt-get when running as root with apt-get", () => {
    expect(decideInstall(["chromium"], { root: true, aptGet: "/usr/bin/apt-get" })).toEqual({ action: "install", aptGet: "/usr/bin/apt-get" });
  });

  it("stops with the exact sudo command when not root", () => {
    const d = decideInstall(["chromium"], { root: false, aptGet: "/usr/bin/apt-get" });
    expect(d.action).toBe("stop");
    expect(d.action === "stop" && d.message).toContain(
      "sudo apt-get update && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium",
    );
  });

  it("names every missing package and says what to install without apt-get", () => {
    const d = decideInstall(["mariadb-server", "chromium"], { root: true, aptGet: undefined });
    expect(d.action).toBe("stop");
    const message = d.action === "stop" ? d.message : "";
    expect(message).toContain("apt-get install -y mariadb-server chromium");
    expect(message).toContain("apt-get not found");
  });
});
