package io.qreg.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.AttributeProto;
import io.qreg.onnx.ir.NodeProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodesTest {

    private final NodeProto gemm = Nodes.node("Gemm", List.of("x", "w", "b"), List.of("y"), "gemm0",
            Nodes.intAttr("transB", 1), Nodes.floatAttr("alpha", 0.5f), Nodes.stringAttr("mode", "fast"),
            Nodes.intsAttr("perm", 1, 0), Nodes.floatsAttr("scales", 1f, 2f),
            Nodes.tensorAttr("value", Tensors.floats("c", new long[] {1}, new float[] {3f})));

    @Test
    void buildsANodeWithItsInputsOutputsNameAndAttributes() {
        assertThat(gemm.getOpType()).isEqualTo("Gemm");
        assertThat(gemm.hasDomain()).isFalse();
        assertThat(gemm.getInputList()).containsExactly("x", "w", "b");
        assertThat(gemm.getOutputList()).containsExactly("y");
        assertThat(gemm.getName()).isEqualTo("gemm0");
        NodeProto custom = Nodes.node("com.microsoft", "MatMulNBits", List.of("a", "b", "s"), List.of("y"), "mm",
                Nodes.intAttr("bits", 4));
        assertThat(custom.getDomain()).isEqualTo("com.microsoft");
    }

    @Test
    void readsAttributesOrTheirDefaults() {
        assertThat(Nodes.attrInt(gemm, "transB", 0)).isEqualTo(1);
        assertThat(Nodes.attrInt(gemm, "transA", 0)).isZero();
        assertThat(Nodes.attrFloat(gemm, "alpha", 1f)).isEqualTo(0.5f);
        assertThat(Nodes.attrFloat(gemm, "beta", 1f)).isEqualTo(1f);
        assertThat(Nodes.attrString(gemm, "mode", "slow")).isEqualTo("fast");
        assertThat(Nodes.attrInts(gemm, "perm", null)).containsExactly(1, 0);
        assertThat(Nodes.attrFloats(gemm, "scales", null)).containsExactly(1f, 2f);
        assertThat(Nodes.attrFloats(gemm, "missing", new float[] {9f})).containsExactly(9f);
        assertThat(Nodes.attrTensor(gemm, "value").map(Tensors::toFloats).orElseThrow()).containsExactly(3f);
    }

    @Test
    void anAttributeOfTheWrongTypeIsAnErrorNotTheDefault() {
        assertThatThrownBy(() -> Nodes.attrFloat(gemm, "transB", 1f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gemm0").hasMessageContaining("transB").hasMessageContaining("INT");
    }

    @Test
    void readsUntypedAttributesFromOldExportersByTheirPopulatedField() {
        NodeProto old = gemm.toBuilder().clearAttribute()
                .addAttribute(AttributeProto.newBuilder().setName("axis").setI(2)).build();
        assertThat(Nodes.attrInt(old, "axis", 0)).isEqualTo(2);
    }

    @Test
    void withAttributeReplacesOneOfTheSameNameOrAddsIt() {
        NodeProto changed = Nodes.withAttribute(Nodes.withAttribute(gemm, Nodes.intAttr("transB", 0)),
                Nodes.intAttr("transA", 1));
        assertThat(Nodes.attrInt(changed, "transB", 9)).isZero();
        assertThat(Nodes.attrInt(changed, "transA", 9)).isEqualTo(1);
        assertThat(changed.getAttributeCount()).isEqualTo(gemm.getAttributeCount() + 1);
    }
}
