package io.qreg.registry.model;

import java.util.Optional;
import java.util.UUID;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

interface ModelRepository extends JpaRepository<Model, UUID> {

    Optional<Model> findByName(String name);

    boolean existsByName(String name);

    @Query("""
            select m from Model m
            where (:task is null or m.task = :task)
              and (:riskTier is null or m.riskTier = :riskTier)
              and (:owner is null or m.owner = :owner)
              and (:q is null or lower(m.name) like :q or lower(coalesce(m.description, '')) like :q)
            """)
    Page<Model> search(@Param("task") String task, @Param("riskTier") String riskTier, @Param("owner") String owner,
            @Param("q") String q, Pageable pageable);
}
