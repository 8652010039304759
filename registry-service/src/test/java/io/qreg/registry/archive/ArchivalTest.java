package io.qreg.registry.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import io.qreg.registry.web.ApiException;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

class ArchivalTest {

    @Test
    void theArchivedListParameterIsTrueOrFalseAndAbsentMeansActive() {
        assertThat(Archival.listsArchived(null)).isFalse();
        assertThat(Archival.listsArchived("false")).isFalse();
        assertThat(Archival.listsArchived("TRUE")).isTrue();
        assertThatThrownBy(() -> Archival.listsArchived("yes")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.field()).isEqualTo("archived"));
    }

    @Test
    void theRefusalIsA409NamingTheFieldWhoWhenAndHowToUndo() {
        Archival archived = Archival.of(Instant.parse("2026-01-02T03:04:05Z"), "alice");
        ApiException refusal = archived.refusal("variantId", "variant 42", "rolled out", "/api/v1/variants/42/unarchive");
        assertThat(refusal.status()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(refusal.field()).isEqualTo("variantId");
        assertThat(refusal.getMessage()).contains("variant 42 is archived", "alice", "2026-01-02T03:04:05Z",
                "rolled out", "POST /api/v1/variants/42/unarchive");
    }

    @Test
    void noArchiveTimeMeansActive() {
        assertThat(Archival.of(null, null)).isEqualTo(Archival.ACTIVE);
        assertThat(Archival.ACTIVE.archived()).isFalse();
    }
}
