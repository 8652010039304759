package io.qreg.registry.model;

import java.time.Instant;

import io.qreg.registry.archive.Archival;
import io.qreg.registry.support.RecordedEntity;
import io.qreg.registry.support.Timestamps;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/** A named model family: its checkpoints, variants and policies hang off it. */
@Entity
@Table(name = "model")
public class Model extends RecordedEntity {

    private String name;
    private String task;
    private String description;
    private String owner;
    @Column(name = "risk_tier")
    private String riskTier;
    @Column(name = "archived_at")
    private Instant archivedAt;
    @Column(name = "archived_by")
    private String archivedBy;
    @Version
    private long version;

    protected Model() {
    }

    Model(String name, ModelTask task, String description, String owner, RiskTier riskTier, String createdBy) {
        super(createdBy);
        this.name = name;
        this.task = task.wireName();
        this.description = description;
        this.owner = owner;
        this.riskTier = riskTier.wireName();
    }

    public String getName() {
        return name;
    }

    public ModelTask getTask() {
        return ModelTask.parse(task);
    }

    public String getDescription() {
        return description;
    }

    public String getOwner() {
        return owner;
    }

    public RiskTier getRiskTier() {
        return RiskTier.parse(riskTier);
    }

    public Archival getArchival() {
        return Archival.of(archivedAt, archivedBy);
    }

    void archive(String by) {
        this.archivedAt = Timestamps.now();
        this.archivedBy = by;
    }

    void unarchive() {
        this.archivedAt = null;
        this.archivedBy = null;
    }
}
