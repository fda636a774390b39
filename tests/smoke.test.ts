import assert from "node:assert/strict";
import { packageName } from "pulumi-nats";

describe("package", () => {
  it("exposes its Pulumi package name", () => {
    assert.equal(packageName, "nats");
  });
});
