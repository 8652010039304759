package io.qreg.registry.model;

import java.time.Instant;
import java.util.UUID;

import io.qreg.registry.archive.Archival;
import io.qreg.registry.support.Timestamps;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/** A named model family: its checkpoints, variants and policies hang off it. */
@Entity
@Table(name = "model")
public class Model {

    @Id
    private UUID id;
    private String name;
    private String task;
    private String description;
    private String owner;
    @Column(name = "risk_tier")
    private String riskTier;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "created_by")
    private String createdBy;
    @Column(name = "archived_at")
    private Instant archivedAt;
    @Column(name = "archived_by")
    private String archivedBy;
    @Version
    private long version;

    protected Model() {
    }

    Model(String name, ModelTask task, String description, String owner, RiskTier riskTier, String createdBy) {
        this.id = UUID.randomUUID();
        this.name = name;
        this.task = task.wireName();
        this.description = description;
        this.owner = owner;
        this.riskTier = riskTier.wireName();
        this.createdAt = Timestamps.now();
        this.createdBy = createdBy;
    }

    public UUID getId() {
        return id;
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

    public Instant getCreatedAt() {
        return createdAt;
    }

    public String getCreatedBy() {
        return createdBy;
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
