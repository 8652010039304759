package io.qreg.registry.policy;

import static io.qreg.registry.policy.VariantMaker.ok;

import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.BeforeEach;

import tools.jackson.databind.JsonNode;

/** What the policy ITs share: an engineer, a maker of variants with evidence, and one check of a verdict. */
abstract class PolicyTestSupport extends IntegrationTest {

    protected HttpApi engineer;
    protected VariantMaker maker;

    @BeforeEach
    void engineerAndMaker() {
        engineer = userWith("ENGINEER");
        maker = new VariantMaker(admin(), userWith("WORKER"), jdbc);
    }

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
