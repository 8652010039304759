package io.qreg.onnx;

import java.util.Objects;

/**
 * One entry of a model's {@code opset_import}: the operator set version the graph was written against
 * for one domain. The default ONNX domain appears as {@code ""} (or, rarely, {@code "ai.onnx"}).
 */
public record OpsetImport(String domain, long version) {

    public OpsetImport {
        Objects.requireNonNull(domain, "domain");
    }

    /** True for the default operator domain, which exporters spell either {@code ""} or {@code "ai.onnx"}. */
    public boolean isDefaultDomain() {
        return domain.isEmpty() || domain.equals("ai.onnx");
    }
}
