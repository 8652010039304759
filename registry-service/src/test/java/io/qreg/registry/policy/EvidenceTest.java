package io.qreg.registry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import io.qreg.registry.support.CanonicalJson;

import org.junit.jupiter.api.Test;

/** Stored approvals hold evidence digests: the canonical form they are the sha256 of must never change. */
class EvidenceTest {

    private static final UUID EVALUATION = UUID.fromString("0b6c5d1e-8f3a-4c2b-9d7e-1a2b3c4d5e6f");
    private static final UUID BENCHMARK = UUID.fromString("7f6e5d4c-3b2a-4190-8877-665544332211");

    @Test
    void theDigestIsTheSha256OfTheFiveFieldsInCanonicalJsonNullsIncluded() {
        Evidence evidence = Evidence.of("a1", null, "c3", List.of(EVALUATION), List.of(BENCHMARK));

        assertThat(evidence.digest()).isEqualTo(CanonicalJson.sha256Hex("{\"artifactSha256\":\"a1\","
                + "\"benchmarkIds\":[\"" + BENCHMARK + "\"],\"calibrationSha256\":\"c3\","
                + "\"evaluationIds\":[\"" + EVALUATION + "\"],\"recipeHash\":null}"));
    }

    @Test
    void evidenceWithoutResultsHasEmptyIdLists() {
        Evidence evidence = Evidence.of("a1", "r2", null, List.of(), List.of());

        assertThat(evidence.digest()).isEqualTo(CanonicalJson.sha256Hex("{\"artifactSha256\":\"a1\","
                + "\"benchmarkIds\":[],\"calibrationSha256\":null,\"evaluationIds\":[],\"recipeHash\":\"r2\"}"));
    }
}
