import { defaultConfig } from "../../src/config/schema.js";
import { evaluateTagControls } from "../../src/controls/evaluate-ref-controls.js";
import { evaluateSignedRelease } from "../../src/controls/signed-release.js";
import { fetched, unavailable } from "../../src/facts/fetched.js";
import { tagSnapshot } from "../support/ref-snapshots.js";

const SIGN_FIX =
  'Replace it with a signed annotated tag: `git tag -s vX.Y.Z -m "Release vX.Y.Z"` with a GPG, SSH or S/MIME key registered on the signer\'s GitHub account (and the tagger email verified there), then push it (`git push --force origin vX.Y.Z`).';

describe("signed-release: the release tag is an annotated tag whose signature GitHub verifies", () => {
  it("is advisory by default and reported in the check run", () => {
    expect(defaultConfig.controls["signed-release"]).toEqual({ enforcement: "advisory", report: "check" });
  });

  it("a signed tag that GitHub verifies passes", () => {
    expect(evaluateSignedRelease(tagSnapshot())).toEqual({
      outcome: "pass",
      reason: "Tag `v1.4.0` is signed and GitHub verified the signature.",
      fix: "",
      notes: undefined,
    });
  });

  it("an unsigned tag is an advisory finding", () => {
    const tag = tagSnapshot({ signature: fetched({ verified: false, reason: "unsigned" }) });
    expect(evaluateSignedRelease(tag)).toEqual({
      outcome: "fail",
      reason: "GitHub does not verify the signature of tag `v1.4.0`: `unsigned`.",
      fix: SIGN_FIX,
      notes: undefined,
    });
    expect(evaluateTagControls(tag, defaultConfig).find((r) => r.id === "signed-release")).toMatchObject({
      enforcement: "advisory",
      outcome: "fail",
    });
  });

  it.each(["unknown_key", "bad_email", "expired_key"])("a signature GitHub cannot verify (%s) fails, quoting GitHub's reason", (reason) => {
    const result = evaluateSignedRelease(tagSnapshot({ signature: fetched({ verified: false, reason }) }));
    expect(result.outcome).toBe("fail");
    expect(result.reason).toBe(`GitHub does not verify the signature of tag \`v1.4.0\`: \`${reason}\`.`);
  });

  it("a lightweight tag carries no signature", () => {
    expect(evaluateSignedRelease(tagSnapshot({ annotated: false, signature: fetched(null) }))).toEqual({
      outcome: "fail",
      reason: "Tag `v1.4.0` is a lightweight tag: a lightweight tag carries no signature.",
      fix: SIGN_FIX,
      notes: undefined,
    });
  });

  it("an annotated tag without a verification object is not verified", () => {
    expect(evaluateSignedRelease(tagSnapshot({ signature: fetched(null) }))).toMatchObject({
      outcome: "fail",
      reason: "Tag `v1.4.0` is annotated but GitHub reports no signature verification for it.",
    });
  });

  it("a tag GitHub no longer has fails", () => {
    expect(evaluateSignedRelease(tagSnapshot({ commitSha: null, annotated: false, signature: fetched(null) }))).toMatchObject({
      outcome: "fail",
      reason: "Tag `v1.4.0` does not exist on GitHub, so there is no signature to verify.",
      fix: "Push the signed tag (`git push origin <tag>`).",
    });
  });

  it("a verification that could not be read is an error, never a pass", () => {
    const result = evaluateSignedRelease(tagSnapshot({ signature: unavailable("GitHub answered 404") }));
    expect(result.outcome).toBe("error");
    expect(result.reason).toBe("Could not read the signature verification of tag `v1.4.0`: GitHub answered 404");
  });
});
