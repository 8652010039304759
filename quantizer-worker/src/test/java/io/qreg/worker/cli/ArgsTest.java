package io.qreg.worker.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArgsTest {

    private final Args.Spec spec = Args.spec().flag("--json").option("--batch").repeatable("--input");

    @Test
    void parsesFlagsSpaceAndEqualsValuesRepeatsAndPositionals() {
        Args args = spec.parse(List.of("--json", "--batch=4", "--input", "a=x", "m.onnx", "--input", "b=y", "n.onnx"));

        assertThat(args.flag("--json")).isTrue();
        assertThat(args.intValue("--batch", 1, 1)).isEqualTo(4);
        assertThat(args.values("--input")).containsExactly("a=x", "b=y");
        assertThat(args.positionals()).containsExactly("m.onnx", "n.onnx");
    }

    @Test
    void doubleDashEndsOptions() {
        assertThat(spec.parse(List.of("--", "--json")).positionals()).containsExactly("--json");
    }

    @Test
    void rejectsUnknownRepeatedMissingAndMalformedValues() {
        assertThatThrownBy(() -> spec.parse(List.of("--bacth", "2"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("unknown option '--bacth'").hasMessageContaining("--batch");
        assertThatThrownBy(() -> spec.parse(List.of("--batch", "1", "--batch", "2")))
                .hasMessageContaining("--batch given twice");
        assertThatThrownBy(() -> spec.parse(List.of("--batch"))).hasMessageContaining("--batch needs a value");
        assertThatThrownBy(() -> spec.parse(List.of("--batch", "x")).intValue("--batch", 1, 1))
                .hasMessageContaining("needs an integer, got 'x'");
        assertThatThrownBy(() -> spec.parse(List.of("--batch", "0")).intValue("--batch", 1, 1))
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> spec.parse(List.of("-j"))).hasMessageContaining("unknown option '-j'");
        assertThatThrownBy(() -> spec.parse(List.of("--input", "noequals")).namedFiles("--input"))
                .hasMessageContaining("INPUT_NAME=FILE.npy");
        assertThatThrownBy(() -> spec.parse(List.of("--json=yes"))).hasMessageContaining("takes no value");
    }
}
