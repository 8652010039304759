package io.qreg.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker module's packages depend on each other in one direction only, read from the compiled classes. Three
 * levels are checked, because a cycle can hide inside a coarser slice: the top-level areas ({@code engine},
 * {@code npy}, {@code onnx}, {@code worker}, ...), the engine's parts ({@code quant} with its method sub-packages,
 * {@code calibration}, {@code sensitivity}, {@code pipeline}, ...), and the worker's ({@code cli}, {@code daemon},
 * {@code json}, {@code audit}).
 */
class PackageCyclesTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("io.qreg");
    }

    @Test
    void topLevelAreasHaveNoCycle() {
        slices().matching("io.qreg.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void engineAreasHaveNoCycle() {
        slices().matching("io.qreg.engine.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void workerAreasHaveNoCycle() {
        slices().matching("io.qreg.worker.(*)..").should().beFreeOfCycles().check(classes);
    }
}
