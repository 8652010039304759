package io.qreg.registry.security;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface AppUserRepository extends JpaRepository<AppUser, UUID> {

    Optional<AppUser> findByUsername(String username);

    /**
     * The enabled ADMINs, locked to the end of the transaction: two ADMINs demoting or disabling each
     * other at once must not both see "another ADMIN remains".
     */
    @Query(value = "select * from app_user where enabled and (',' || roles || ',') like '%,ADMIN,%' for update",
            nativeQuery = true)
    List<AppUser> lockEnabledAdmins();
}
