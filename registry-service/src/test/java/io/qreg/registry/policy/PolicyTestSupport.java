package io.qreg.registry.policy;

import static io.qreg.registry.policy.VariantMaker.ok;

import tools.jackson.databind.JsonNode;

/** What the policy ITs add to their engineer and maker of variants: one check of a verdict. */
abstract class PolicyTestSupport extends VariantEvidenceTest {

    /** The check named {@code name} of the variant's verdict now. */
    protected JsonNode check(String variant, String name) {
        JsonNode verdict = ok(engineer.get("/api/v1/variants/" + variant + "/verdict"), 200).json();
        for (JsonNode c : verdict.get("checks")) {
            if (c.get("name").asString().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + verdict);
    }
}
