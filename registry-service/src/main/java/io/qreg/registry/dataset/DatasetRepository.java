package io.qreg.registry.dataset;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface DatasetRepository extends JpaRepository<Dataset, UUID> {

    Optional<Dataset> findByNameAndVersion(String name, int version);

    Optional<Dataset> findFirstByNameAndSha256AndPurpose(String name, String sha256, String purpose);

    List<Dataset> findByNameOrderByVersionDesc(String name);

    @Query("select coalesce(max(d.version), 0) from Dataset d where d.name = :name")
    int maxVersion(String name);

    @Query("""
            select d from Dataset d
            where d.version = (select max(o.version) from Dataset o where o.name = d.name)
              and (:purpose is null or d.purpose = :purpose)
            """)
    Page<Dataset> findLatestVersions(String purpose, Pageable pageable);
}
