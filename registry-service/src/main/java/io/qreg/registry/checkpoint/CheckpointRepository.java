package io.qreg.registry.checkpoint;

import java.util.Collection;
import java.util.List;
import java.util.UUID;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface CheckpointRepository extends JpaRepository<Checkpoint, UUID> {

    boolean existsByModelIdAndVersion(UUID modelId, String version);

    Page<Checkpoint> findByModelId(UUID modelId, Pageable pageable);

    Page<Checkpoint> findByModelIdAndIdIn(UUID modelId, Collection<UUID> ids, Pageable pageable);

    List<Checkpoint> findByParentIdOrderByCreatedAt(UUID parentId);

    @Query("select c.modelId, count(c) from Checkpoint c where c.modelId in :modelIds group by c.modelId")
    List<Object[]> countByModelIds(Collection<UUID> modelIds);
}
