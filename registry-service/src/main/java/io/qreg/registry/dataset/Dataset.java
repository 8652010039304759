package io.qreg.registry.dataset;


import io.qreg.registry.support.RecordedEntity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One immutable version of a named dataset, stored content-addressed. */
@Entity
@Table(name = "dataset")
public class Dataset extends RecordedEntity {

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

    public String getName() {
        return name;
    }

    public int getVersion() {
        return version;
    }

    public String getPurpose() {
        return purpose;
    }

    public String getDescription() {
        return description;
    }

    public String getSha256() {
        return sha256;
    }

    public long getSizeBytes() {
        return sizeBytes;
    }

    public String getFormat() {
        return format;
    }

    public long getSamples() {
        return samples;
    }

    String getInputsJson() {
        return inputs;
    }

    public boolean hasLabels() {
        return hasLabels;
    }

    public String getSliceNamesJson() {
        return sliceNames;
    }

    public boolean hasSlices() {
        return hasSlices;
    }
}
