package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.quant.MethodOptions.Option;
import io.qreg.engine.quant.MethodOptions.Surface;
import org.junit.jupiter.api.Test;

/** Each numeric option's accepted values, defined once for the CLI, the worker and the registry. */
class OptionValuesTest {

    @Test
    void boundariesAreOpenOrClosedAsEachOptionMeansThem() {
        assertThat(OptionValues.problem(Option.GPTQ_DAMP, Surface.CLI, 0)).isPresent();
        assertThat(OptionValues.problem(Option.GPTQ_DAMP, Surface.CLI, 0.01)).isEmpty();
        assertThat(OptionValues.problem(Option.GPTQ_DAMP, Surface.CLI, 1)).isPresent();
        assertThat(OptionValues.problem(Option.ACCURACY_BUDGET, Surface.CLI, 1)).isPresent();
        assertThat(OptionValues.problem(Option.SMOOTH_QUANT, Surface.CLI, 0)).isEmpty();
        assertThat(OptionValues.problem(Option.SMOOTH_QUANT, Surface.CLI, 1)).isEmpty();
        assertThat(OptionValues.problem(Option.SMOOTH_QUANT, Surface.CLI, 1.01)).isPresent();
        assertThat(OptionValues.problem(Option.TARGET_BITS_PER_WEIGHT, Surface.CLI, 32)).isEmpty();
        assertThat(OptionValues.problem(Option.TARGET_BITS_PER_WEIGHT, Surface.CLI, 0)).isPresent();
        assertThat(OptionValues.problem(Option.PERCENTILE, Surface.CLI, 90)).isPresent();
        assertThat(OptionValues.problem(Option.PERCENTILE, Surface.CLI, 100)).isEmpty();
        assertThat(OptionValues.problem(Option.BLOCK_SIZE, Surface.CLI, 128)).isEmpty();
        assertThat(OptionValues.problem(Option.BLOCK_SIZE, Surface.CLI, 48)).isPresent();
        assertThat(OptionValues.problem(Option.BLOCK_SIZE, Surface.CLI, 512)).isPresent();
        assertThat(OptionValues.problem(Option.BLOCK_SIZE, Surface.CLI, 32.5)).isPresent();
    }

    @Test
    void theSameRefusalNamesTheFlagOnTheCommandLineAndTheFieldInARecipe() {
        assertThat(OptionValues.problem(Option.GPTQ_DAMP, Surface.CLI, 2)).contains("--gptq-damp is the Hessian"
                + " dampening as a fraction of its mean diagonal, above 0 and below 1 (e.g. 0.01), got 2");
        assertThat(OptionValues.problem(Option.GPTQ_DAMP, Surface.RECIPE, 2)).contains("gptqDamp is the Hessian"
                + " dampening as a fraction of its mean diagonal, above 0 and below 1 (e.g. 0.01), got 2");
    }

    @Test
    void parsingAcceptsAutoOnlyForSmoothQuantAndQuotesWhatIsNotANumber() {
        assertThat(OptionValues.parse(Option.SMOOTH_QUANT, Surface.CLI, " AUTO ")).isNaN();
        assertThat(OptionValues.parse(Option.SMOOTH_QUANT, Surface.CLI, "0.5")).isEqualTo(0.5);
        assertThatThrownBy(() -> OptionValues.parse(Option.GPTQ_DAMP, Surface.RECIPE, "auto"))
                .hasMessageStartingWith("gptqDamp is the Hessian dampening").hasMessageEndingWith("got 'auto'");
        assertThatThrownBy(() -> OptionValues.parse(Option.TARGET_BITS_PER_WEIGHT, Surface.CLI, "40"))
                .hasMessageEndingWith("above 0 and at most 32 (e.g. 5.5), got 40");
    }

    @Test
    void anOptionThatTakesNoNumberIsAProgrammingError() {
        assertThatThrownBy(() -> OptionValues.problem(Option.ACT_ORDER, Surface.CLI, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--act-order takes no number");
    }
}
