package io.qreg.registry;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/**
 * The registry's features (each direct sub-package of {@code io.qreg.registry}) as Spring Modulith sees them:
 * {@code verify()} fails on any dependency cycle between them, and on any use of another module's internals.
 */
class ModuleStructureTest {

    @Test
    void featurePackagesDependOnEachOtherWithoutCycles() {
        ApplicationModules.of(QregApplication.class).verify();
    }
}
