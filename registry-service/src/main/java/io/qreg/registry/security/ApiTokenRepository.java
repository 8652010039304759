package io.qreg.registry.security;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

interface ApiTokenRepository extends JpaRepository<ApiToken, UUID> {

    Optional<ApiToken> findByTokenHash(String tokenHash);

    List<ApiToken> findByUserOrderByCreatedAtDesc(AppUser user);

    /** Every token created, directly or through others, with one of {@code roots}. */
    @Query(value = """
            with recursive descendant(id) as (
                select id from api_token where parent_token_id in (:roots)
                union
                select t.id from api_token t join descendant d on t.parent_token_id = d.id)
            select id from descendant""", nativeQuery = true)
    List<UUID> findDescendantIds(@Param("roots") java.util.Collection<UUID> roots);
}
