package io.qreg.registry.policy;

import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.BeforeEach;

/**
 * An IT about variants whose evidence it chooses: before each test, a new engineer to submit the jobs and a
 * {@link VariantMaker} whose own worker reports the figures the test names.
 */
public abstract class VariantEvidenceTest extends IntegrationTest {

    protected HttpApi engineer;
    protected VariantMaker maker;

    @BeforeEach
    void engineerAndMaker() {
        engineer = userWith("ENGINEER");
        maker = new VariantMaker(admin(), userWith("WORKER"), jdbc);
    }
}
