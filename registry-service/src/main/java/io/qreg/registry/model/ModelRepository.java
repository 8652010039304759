package io.qreg.registry.model;

import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

interface ModelRepository extends JpaRepository<Model, UUID> {

    Optional<Model> findByName(String name);

    boolean existsByName(String name);
}
