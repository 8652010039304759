package io.qreg.registry.support;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;

/**
 * The bookkeeping every row a person registers carries (models, checkpoints, recipes, datasets, accounts): a
 * random id chosen here rather than by the database, when it was created and by whom. Each subclass's table has
 * the {@code id}, {@code created_at} and {@code created_by} columns these fields map to.
 */
@MappedSuperclass
public abstract class RecordedEntity {

    @Id
    private UUID id;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "created_by")
    private String createdBy;

    /** For JPA, which fills the fields from the row. */
    protected RecordedEntity() {
    }

    /** A new row, created now by {@code createdBy}. */
    protected RecordedEntity(String createdBy) {
        this.id = UUID.randomUUID();
        this.createdAt = Timestamps.now();
        this.createdBy = createdBy;
    }

    public UUID getId() {
        return id;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public String getCreatedBy() {
        return createdBy;
    }
}
