package io.qreg.registry.checkpoint;

import java.util.List;
import java.util.UUID;

import io.qreg.registry.support.ByteSizes;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.RecordedEntity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import tools.jackson.core.type.TypeReference;

/** An uploaded source model, immutable once registered: no setters on purpose. */
@Entity
@Table(name = "checkpoint")
public class Checkpoint extends RecordedEntity {

    private static final TypeReference<List<TensorSpec>> TENSOR_LIST = new TypeReference<>() {
    };

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

    UUID getModelId() {
        return modelId;
    }

    /** The checkpoint as the API shows it, under its model's {@code modelName}. */
    CheckpointView view(String modelName) {
        return new CheckpointView(getId(), modelName, version, sha256, sizeBytes, ByteSizes.human(sizeBytes), irVersion,
                opset, producer, readSpecs(inputs), readSpecs(outputs), license, redistribution, sourceUri, parentId,
                getCreatedAt(), getCreatedBy(), quantized);
    }

    private static List<TensorSpec> readSpecs(String json) {
        return CanonicalJson.mapper().readValue(json, TENSOR_LIST);
    }
}
