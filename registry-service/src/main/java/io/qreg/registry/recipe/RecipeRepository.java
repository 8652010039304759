package io.qreg.registry.recipe;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface RecipeRepository extends JpaRepository<Recipe, UUID> {

    Optional<Recipe> findByNameAndVersion(String name, int version);

    Optional<Recipe> findByNameAndHash(String name, String hash);

    List<Recipe> findByNameOrderByVersionDesc(String name);

    @Query("select coalesce(max(r.version), 0) from Recipe r where r.name = :name")
    int maxVersion(String name);

    @Query("select r from Recipe r where r.version = (select max(o.version) from Recipe o where o.name = r.name)")
    Page<Recipe> findLatestVersions(Pageable pageable);
}
