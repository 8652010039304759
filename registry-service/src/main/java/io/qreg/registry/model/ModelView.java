package io.qreg.registry.model;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

import io.qreg.registry.archive.Archival;

/** A model as the API and the portal show it; {@code archival} shows as {@code archived}, {@code archivedAt}, {@code archivedBy}. */
public record ModelView(UUID id, String name, String task, String description, String owner, String riskTier,
        Instant createdAt, String createdBy, @JsonUnwrapped Archival archival) {

    static ModelView of(Model m) {
        return new ModelView(m.getId(), m.getName(), m.getTask().wireName(), m.getDescription(), m.getOwner(),
                m.getRiskTier().wireName(), m.getCreatedAt(), m.getCreatedBy(), m.getArchival());
    }
}
