package io.qreg.registry.dataset;

import java.util.List;

import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.RecordedEntity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import tools.jackson.core.type.TypeReference;

/** One immutable version of a named dataset, stored content-addressed. */
@Entity
@Table(name = "dataset")
public class Dataset extends RecordedEntity {

    private static final TypeReference<List<DatasetArray>> ARRAY_LIST = new TypeReference<>() {
    };
    private static final TypeReference<List<String>> NAMES = new TypeReference<>() {
    };

    private String name;
    private int version;
    private String purpose;
    private String description;
    private String sha256;
    @Column(name = "size_bytes")
    private long sizeBytes;
    private String format;
    private long samples;
    private String inputs;
    @Column(name = "has_labels")
    private boolean hasLabels;
    @Column(name = "has_slices")
    private boolean hasSlices;
    /** JSON array of names, slice id i at index i; null without names. */
    @Column(name = "slice_names")
    @JdbcTypeCode(SqlTypes.JSON)
    private String sliceNames;

    protected Dataset() {
    }

    Dataset(String name, int version, String purpose, String description, String sha256, long sizeBytes,
            String format, long samples, String inputsJson, boolean hasLabels, boolean hasSlices, String sliceNamesJson,
            String createdBy) {
        super(createdBy);
        this.sliceNames = sliceNamesJson;
        this.name = name;
        this.version = version;
        this.purpose = purpose;
        this.description = description;
        this.sha256 = sha256;
        this.sizeBytes = sizeBytes;
        this.format = format;
        this.samples = samples;
        this.inputs = inputsJson;
        this.hasLabels = hasLabels;
        this.hasSlices = hasSlices;
    }

    /** The version as the API shows it. */
    DatasetView view() {
        return new DatasetView(getId(), name, version, purpose, description, sha256, sizeBytes, format, samples,
                CanonicalJson.mapper().readValue(inputs, ARRAY_LIST), hasLabels, hasSlices,
                sliceNames == null ? null : CanonicalJson.mapper().readValue(sliceNames, NAMES), getCreatedAt(),
                getCreatedBy());
    }
}
