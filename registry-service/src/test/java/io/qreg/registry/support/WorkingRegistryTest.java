package io.qreg.registry.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An IT on the shared {@link WorkingRegistry}: the registry process and an admin API client for it, connected once
 * before the class's own {@code @BeforeAll} methods run (JUnit runs a superclass's first).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(WorkingRegistry.class)
public abstract class WorkingRegistryTest {

    protected RegistryProcess registry;
    /** The bootstrap admin's client. */
    protected HttpApi admin;

    @BeforeAll
    void connectToTheWorkingRegistry(RegistryProcess workingRegistry) {
        registry = workingRegistry;
        admin = registry.api(IntegrationTest.ADMIN_TOKEN);
    }

    /** A new model of the task with one checkpoint of these bytes (version 1.0.0, MIT); returns the checkpoint's id. */
    protected String modelWithCheckpoint(String model, String task, byte[] onnx) {
        ok(admin.post("/api/v1/models", Map.of("name", model, "task", task)), 201);
        return ok(admin.upload("/api/v1/models/" + model + "/checkpoints", Map.of("version", "1.0.0", "license",
                "MIT"), onnx, model + ".onnx"), 201).json().get("id").asString();
    }

    /** The reply, once asserted to have this status (its body tells why when not). */
    protected static HttpApi.Reply ok(HttpApi.Reply reply, int status) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        return reply;
    }
}
