package io.qreg.registry.checkpoint;

import java.util.UUID;

import io.qreg.registry.support.RecordedEntity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** An uploaded source model, immutable once registered: no setters on purpose. */
@Entity
@Table(name = "checkpoint")
public class Checkpoint extends RecordedEntity {

    @Column(name = "model_id")
    private UUID modelId;
    private String version;
    private String sha256;
    @Column(name = "size_bytes")
    private long sizeBytes;
    @Column(name = "ir_version")
    private long irVersion;
    private Long opset;
    private String producer;
    private String inputs;
    private String outputs;
    private String license;
    private String redistribution;
    @Column(name = "source_uri")
    private String sourceUri;
    @Column(name = "parent_id")
    private UUID parentId;
    /** The graph holds quantized operators (a QAT export): only method qat may quantize it. */
    private boolean quantized;

    protected Checkpoint() {
    }

    Checkpoint(UUID modelId, String version, String sha256, long sizeBytes, long irVersion, Long opset,
            String producer, String inputsJson, String outputsJson, String license, String redistribution,
            String sourceUri, UUID parentId, String createdBy, boolean quantized) {
        super(createdBy);
        this.modelId = modelId;
        this.version = version;
        this.sha256 = sha256;
        this.sizeBytes = sizeBytes;
        this.irVersion = irVersion;
        this.opset = opset;
        this.producer = producer;
        this.inputs = inputsJson;
        this.outputs = outputsJson;
        this.license = license;
        this.redistribution = redistribution;
        this.sourceUri = sourceUri;
        this.parentId = parentId;
        this.quantized = quantized;
    }

    public boolean isQuantized() {
        return quantized;
    }

    public UUID getModelId() {
        return modelId;
    }

    public String getVersion() {
        return version;
    }

    public String getSha256() {
        return sha256;
    }

    public long getSizeBytes() {
        return sizeBytes;
    }

    public long getIrVersion() {
        return irVersion;
    }

    public Long getOpset() {
        return opset;
    }

    public String getProducer() {
        return producer;
    }

    String getInputsJson() {
        return inputs;
    }

    String getOutputsJson() {
        return outputs;
    }

    public String getLicense() {
        return license;
    }

    public String getRedistribution() {
        return redistribution;
    }

    public String getSourceUri() {
        return sourceUri;
    }

    public UUID getParentId() {
        return parentId;
    }
}
