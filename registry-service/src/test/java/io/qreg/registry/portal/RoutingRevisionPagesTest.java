package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The routing document as the revision pages lay it out for reading and diffing. */
class RoutingRevisionPagesTest {

    @Test
    void keysAreSortedOnePerLineAndFlatArraysStayOnOneLine() {
        assertThat(RoutingRevisionPages.pretty("{\"steps\":[5,25,100],\"phase\":\"PROGRESSING\",\"empty\":[],"
                + "\"none\":{}}")).isEqualTo("""
                {
                  "empty": [],
                  "none": {},
                  "phase": "PROGRESSING",
                  "steps": [5, 25, 100]
                }
                """);
    }

    @Test
    void commasInsideStringsAreLeftAsTheyAre() {
        assertThat(RoutingRevisionPages.pretty("{\"headers\":[\"a,b\",\"c\"],\"note\":\"x,y\"}"))
                .contains("\"headers\": [\"a,b\", \"c\"]").contains("\"note\": \"x,y\"")
                .doesNotContain("a, b").doesNotContain("x, y");
    }

    @Test
    void aChangedWeightInsideAnArrayOfObjectsIsOneChangedLine() {
        String before = "{\"rules\":[{\"name\":\"standard\",\"backends\":[{\"weight\":95,\"cluster\":\"v-1\"},"
                + "{\"weight\":5,\"cluster\":\"v-2\"}]}]}";
        String after = before.replace("95", "75").replace("\"weight\":5,", "\"weight\":25,");
        RoutingRevisionPages.DiffView diff = RoutingRevisionPages.diff(1, 2, before, after, 0);
        assertThat(diff.added()).isEqualTo(2);
        assertThat(diff.removed()).isEqualTo(2);
        assertThat(RoutingRevisionPages.pretty(after)).contains("\"weight\": 75\n").contains("\"weight\": 25\n")
                .contains("\"cluster\": \"v-1\",\n");
    }
}
